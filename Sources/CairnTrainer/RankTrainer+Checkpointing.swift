import CairnCheckpoint
import CairnConfig
import CairnCore
import CairnJSON
import CairnLoRA
import CairnNN
import Foundation
import Logging

extension RankTrainer {
    /// Cleans up after dead runs and, as `resume_from_checkpoint` asks, restores every component from a checkpoint.
    ///
    /// > Important: a collective; every rank calls it before training.
    func resumeIfRequested() async throws {
        try await checkpoints.removeStaleUncommitted()
        guard let decision = try await checkpoints.resolveResume(plan.configuration.resumeFromCheckpoint) else { return }
        let strategies = plan.strategies
        let compatibility = ResumeCompatibility(
            configuration: plan.configuration, modelFingerprint: plan.modelFingerprint,
            strategyKind: type(of: plan.strategy).kind, worldSize: communicator.worldSize,
            canReshard: { strategies.supportsReshardedResume($0) })
        let state = try await checkpoints.restore(decision, into: registry, compatibility: compatibility)
        history = state.logHistory.filter { $0.step <= trainState.globalStep }
        if isLead {
            logger.info("resumed at step \(trainState.globalStep) (epoch \(ProgressReporter.format(trainState.epoch, digits: 2)), \(trainState.samplesSeen) samples seen) from \(decision.location)")
        }
    }

    /// Saves a checkpoint when `reason` is set (and finishes a background save that is ready).
    func saveIfDue(_ reason: CheckpointSchedule.Reason?) async throws {
        try await checkpoints.afterStep(
            trainState.globalStep, reason: reason, registry: registry, metadata: checkpointMetadata,
            extraFiles: checkpointExtraFiles)
    }

    /// The manifest's descriptive fields for a checkpoint taken now.
    func checkpointMetadata() -> CheckpointMetadata {
        // The normalized configuration writes each value as JSON-compatible text (strings quoted, lists in brackets).
        let options = JSONObject(uniqueMembers: plan.configuration.normalizedEntries.compactMap { entry in
            guard entry.key.hasPrefix("dist_config.") else { return nil }
            let value = (try? JSONParser.parse(entry.value)) ?? .string(entry.value)
            return (String(entry.key.dropFirst("dist_config.".count)), value)
        })
        let peft: JSONValue? = plan.lora.map { lora in
            [
                "name": "lora", "r": .integer(lora.rank), "lora_alpha": .double(lora.alpha) ?? .null,
                "lora_dropout": .double(lora.dropout) ?? .null,
                "target_modules": .array(lora.targetModules.map { .string($0) }),
            ]
        }
        return CheckpointMetadata(
            globalStep: trainState.globalStep, epoch: trainState.epoch,
            strategyKind: type(of: plan.strategy).kind.name, strategyOptions: .object(options), peft: peft,
            configHash: plan.configuration.hashHex, modelFingerprint: plan.modelFingerprint,
            libraryVersion: CairnVersion.current)
    }

    /// Rank 0's extra files: `model/config.json` (so `model/` is a Hugging Face folder) — or, for LoRA,
    /// `adapter/adapter_config.json` (so `adapter/` is a PEFT folder) — and `trainer_state.json`.
    func checkpointExtraFiles() throws -> [CheckpointFile] {
        let descriptor: CheckpointFile
        if let lora = plan.lora {
            let config = try PEFTAdapterConfig.encode(lora, baseModel: plan.configuration.model)
            descriptor = CheckpointFile(path: "adapter/" + PEFTAdapterConfig.fileName, parts: [HostBuffer(copying: Array(config))])
        } else {
            let config = try HuggingFaceFolderWriter.configJSON(for: plan.model, sourceFolder: plan.configuration.model)
            descriptor = CheckpointFile(path: "model/config.json", parts: [HostBuffer(copying: Array(config))])
        }
        let state = TrainerStateFile(
            globalStep: trainState.globalStep, epoch: trainState.epoch, samplesSeen: trainState.samplesSeen,
            tokensSeen: trainState.tokensSeen, numTrainingSteps: plan.totalSteps, worldSize: communicator.worldSize,
            configuration: Dictionary(plan.configuration.normalizedEntries.map { ($0.key, $0.value) }) { first, _ in first },
            logHistory: history)
        return [
            descriptor,
            CheckpointFile(path: TrainerStateFile.fileName, parts: [HostBuffer(copying: Array(try state.encoded()))]),
        ]
    }
}
