import CairnCheckpoint
import CairnConfig
import CairnCore
import Logging

/// What a checkpoint must agree with to resume this run, and what may change (and is logged).
///
/// Refused: another base model (fingerprint of its config and weights), a change the configuration layer marks as
/// blocking (`model`, `global_batch_size`: the data order and the meaning of a step depend on them), and another
/// world size or strategy when the strategies involved cannot reshard. Logged and allowed: everything else
/// (`learning_rate`, `max_steps`, `save_steps`, …).
struct ResumeCompatibility {
    var configuration: TrainingConfiguration
    var modelFingerprint: String
    var strategyKind: StrategyKind
    var worldSize: Int
    /// Whether the strategy of this run, and of the checkpoint's run, can resume across layouts.
    var canReshard: (StrategyKind) -> Bool

    func check(_ manifest: CheckpointManifest, trainerState: TrainerStateFile, checkpoint: String, logger: Logger?) throws {
        guard manifest.modelFingerprint == modelFingerprint else {
            throw CheckpointError(
                .incompatible, checkpoint: checkpoint, step: manifest.globalStep,
                "the checkpoint was trained from another base model (fingerprint \(manifest.modelFingerprint), this run's model has \(modelFingerprint)); point `model` at the model it was trained from")
        }
        let changes = trainerState.changes(to: configuration)
        // Besides the configuration layer's blocking keys: other adapters cannot load the saved ones.
        let adapterChange = changes.first { $0.key.hasPrefix("peft_config.") || $0.key == "adapter_name_or_path" }
        if let blocking = changes.first(where: \.blocksResume) ?? adapterChange {
            throw CheckpointError(
                .incompatible, checkpoint: checkpoint, step: manifest.globalStep,
                "cannot resume across this change: \(blocking); start a new output_dir for a different \(blocking.key)")
        }
        let savedKind = StrategyKind(manifest.strategyKind)
        if manifest.worldSize != worldSize || savedKind != strategyKind {
            guard canReshard(savedKind), canReshard(strategyKind) else {
                throw CheckpointError(
                    .incompatible, checkpoint: checkpoint, step: manifest.globalStep,
                    "saved by \(savedKind) on \(manifest.worldSize) rank(s); \(strategyKind) on \(worldSize) rank(s) cannot resume it because one of the strategies does not support resharded resume")
            }
            logger?.notice("resharding: the checkpoint was saved by \(savedKind) on \(manifest.worldSize) rank(s); resuming with \(strategyKind) on \(worldSize)")
        }
        for change in changes where !change.key.hasPrefix("dist_config.") && change.key != "resume_from_checkpoint" {
            logger?.notice("configuration changed since the checkpoint: \(change)")
        }
    }
}
