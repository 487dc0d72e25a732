public import CairnCore
import CairnSingle
public import Testing

/// Checks the laws of ``DistStrategy`` and ``StrategyRuntime`` on a strategy type, by training with the real
/// trainer at several world sizes and comparing with `single`.
///
/// Every trainer law runs `CairnTrainer.TrainingRun` (the same loop `cairn train` runs) on a tiny Qwen3 built in
/// code, over synthetic samples of varied lengths, with the ranks of an in-process `LocalRankGroup` and checkpoints
/// in an `InMemoryBackend`. The runtime laws drive the strategy's runtime directly on a small parameter tree with
/// exact gradients. A third party adds one test:
///
/// ```swift
/// @Test func localSGDSatisfiesTheLaws() async {
///     await StrategyConformance.verify(LocalSGDStrategy.self, configuration: .init(syncEvery: 4),
///                                      worldSizes: [1, 2, 4], laws: [.determinism, .resumeIsBitIdentical])
/// }
/// ```
///
/// A whole run of every law at world sizes 1–4 takes 30 to 60 seconds in a debug build on two cores (measured:
/// ddp 44 s, fsdp2 42 s, each zero stage about 30 s). Runs at one world size are shared between laws (the
/// uninterrupted run is the reference of parity, determinism, resume and key laws alike).
public enum StrategyConformance {
    /// One law of ``DistStrategy`` and ``StrategyRuntime``.
    public enum Law: String, CaseIterable, Sendable {
        /// At every world size, each step's loss matches `single` on the same global batch within
        /// ``Options/lossTolerance`` (relative), and every final parameter within ``Options/parameterTolerance``.
        case parityWithSingle
        /// Two runs at the same world size give bit-identical losses and bit-identical final checkpoints.
        case determinism
        /// A run stopped after ``Options/stopAfterStep`` (as a preemption would) and resumed with
        /// `resume_from_checkpoint: auto` in a fresh run ends bit-identical to the uninterrupted run: every loss and
        /// every value of the final checkpoint (model, optimizer, scheduler, data cursor, RNG, strategy state).
        case resumeIsBitIdentical
        /// When the strategy declares ``DistStrategy/supportsReshardedResume``: a checkpoint saved at one world
        /// size resumes at another (and as `single`) and continues the uninterrupted losses within tolerance, with
        /// the step count and the data cursor lined up. When it does not: such a resume is refused with
        /// ``CheckpointError`` `.incompatible` instead of loading state that does not fit.
        case reshardedResume
        /// A save in which the last rank's write fails, or rank 0 crashes just before the commit, makes the run fail
        /// with ``CheckpointError`` and leaves no committed checkpoint for that step; a rerun with `auto` resumes
        /// from the previous committed checkpoint and ends bit-identical to the uninterrupted run.
        case failedSaveIsNeverCommitted
        /// Every key of a checkpoint is canonical: under a fixed namespace, naming no rank, shard or world size;
        /// the same keys at every world size and on every rank; `model` keys are the model's parameter keys and
        /// `optimizer` keys are `state.<parameter key>.<slot>`.
        case canonicalKeys
        /// After ``StrategyRuntime/synchronizeGradients(_:)``, the shards' gradients are exactly the sum over ranks
        /// and micro-steps; `.rows`/`.elements` shards partition every trainable parameter exactly once, replicated
        /// ones are whole on every rank, frozen parameters have none, and shards and pieces are sorted by key.
        case completeGradients
        /// After an update and ``StrategyRuntime/finishStep(_:)``, every rank computes with the same, updated
        /// values, its gradients are zero, and ``StrategyRuntime/parameterPieces()`` hold those values.
        case consistentReplicas
    }

    // MARK: - Entry points

    /// Checks `laws` for `strategy` made from `configuration` at `worldSizes`, and records each failure as an
    /// issue at `sourceLocation`.
    /// - Parameters:
    ///   - strategy: the strategy type; it is made with `init(configuration:)`.
    ///   - configuration: its options, as `dist_config` would decode them.
    ///   - worldSizes: the world sizes to run at; ``Options/globalBatchSize`` must divide by each.
    ///   - options: the optimizer, steps and tolerances.
    ///   - laws: the laws to check (they run in declaration order).
    ///   - sourceLocation: where issues are recorded; the caller's line by default.
    public static func verify<Strategy: DistStrategy>(
        _ strategy: Strategy.Type, configuration: Strategy.Configuration, worldSizes: [Int] = [1, 2, 3, 4],
        options: Options = .init(), laws: [Law] = Law.allCases, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let failures = await check(strategy, configuration: configuration, worldSizes: worldSizes, options: options,
                                   laws: laws)
        for failure in failures {
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
        }
    }

    /// Checks `laws` and returns the failures, without recording them: for tests that expect a broken strategy
    /// to fail, and for tools that report elsewhere. An unexpected error is a failure of the law that met it.
    public static func check<Strategy: DistStrategy>(
        _ strategy: Strategy.Type, configuration: Strategy.Configuration, worldSizes: [Int] = [1, 2, 3, 4],
        options: Options = .init(), laws: [Law] = Law.allCases
    ) async -> [Failure] {
        let kind = Strategy.kind
        let sizes = Array(Set(worldSizes)).sorted()
        let requested = Law.allCases.filter(laws.contains)
        if let problem = options.problem(worldSizes: sizes) {
            return requested.map { Failure(law: $0, strategy: kind, expected: "usable options", actual: problem) }
        }
        let made: Strategy
        do {
            made = try Strategy(configuration: configuration)
        } catch {
            return requested.map {
                Failure(law: $0, strategy: kind, expected: "\(Strategy.self)(configuration:) to succeed",
                        actual: "it threw \(error)")
            }
        }
        var strategies = StrategyRegistry()
        do {
            try strategies.register(SingleDeviceStrategy.self)
            if kind != SingleDeviceStrategy.kind { try strategies.register(Strategy.self) }
        } catch {
            return requested.map {
                Failure(law: $0, strategy: kind, expected: "a registrable kind", actual: "\(error)")
            }
        }
        let run = StrategyConformanceRun(strategy: made, options: options, worldSizes: sizes, strategies: strategies)
        var failures: [Failure] = []
        for law in requested {
            failures += await run.check(law)
        }
        return failures
    }
}
