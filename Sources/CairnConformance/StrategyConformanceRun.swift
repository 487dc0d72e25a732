import CairnCore
import CairnEmbedded
import CairnSingle
import CairnTrainer
import Foundation
import Logging

/// One `StrategyConformance.check` call: the strategy under test, the runs it needs, and the laws.
///
/// Runs are expensive next to comparisons, so the uninterrupted run at each world size (and `single`'s) is made
/// once and shared by every law that needs it; so is the checkpoint of a run stopped mid-way.
final class StrategyConformanceRun<Strategy: DistStrategy> {
    typealias Failure = StrategyConformance.Failure
    typealias Law = StrategyConformance.Law

    /// The results of one uninterrupted run.
    struct Outcome {
        /// Every step's loss.
        var losses: [Double]
        /// The final checkpoint, gathered.
        var final: StrategyConformanceSavedState
        /// Where its checkpoints are.
        var backend: InMemoryBackend
    }

    let strategy: Strategy
    let single = SingleDeviceStrategy()
    let options: StrategyConformance.Options
    let fixture: StrategyConformanceFixture
    let worldSizes: [Int]
    let strategies: StrategyRegistry
    private var outcomes: [String: Outcome] = [:]
    private var stoppedCheckpoints: [Int: InMemoryBackend] = [:]

    init(strategy: Strategy, options: StrategyConformance.Options, worldSizes: [Int], strategies: StrategyRegistry) {
        self.strategy = strategy
        self.options = options
        self.fixture = StrategyConformanceFixture(options: options)
        self.worldSizes = worldSizes
        self.strategies = strategies
    }

    var kind: StrategyKind { Strategy.kind }

    /// The checkpoint written by the stop in the middle of a run.
    var stopCheckpoint: CheckpointID { CheckpointID(step: options.stopAfterStep) }

    // MARK: - Laws

    /// Checks one law at every world size.
    func check(_ law: Law) async -> [Failure] {
        switch law {
        case .parityWithSingle: return await eachWorldSize(law, parityWithSingle)
        case .determinism: return await eachWorldSize(law, determinism)
        case .resumeIsBitIdentical: return await eachWorldSize(law, resumeIsBitIdentical)
        case .reshardedResume: return await reshardedResume()
        case .failedSaveIsNeverCommitted: return await eachWorldSize(law, failedSaveIsNeverCommitted)
        case .canonicalKeys: return await canonicalKeys()
        case .completeGradients, .consistentReplicas:
            return await eachWorldSize(law) { try await self.runtimeLaw(law, worldSize: $0) }
        }
    }

    private func eachWorldSize(_ law: Law, _ body: (Int) async throws -> [Failure]) async -> [Failure] {
        var failures: [Failure] = []
        for worldSize in worldSizes {
            do {
                failures += try await body(worldSize)
            } catch {
                failures.append(failure(law, worldSize: worldSize, expected: "the runs to complete",
                                        actual: "\(error)"))
            }
        }
        return failures
    }

    func failure(
        _ law: Law, worldSize: Int? = nil, rank: Int? = nil, step: Int? = nil, key: StateKey? = nil,
        expected: String, actual: String, hint: String? = nil
    ) -> Failure {
        Failure(law: law, strategy: kind, worldSize: worldSize, rank: rank, step: step, key: key, expected: expected,
                actual: actual, hint: hint)
    }

    private func parityWithSingle(worldSize: Int) async throws -> [Failure] {
        let reference = try await uninterrupted(single, worldSize: 1)
        let outcome = try await uninterrupted(strategy, worldSize: worldSize)
        return lossesAgree(.parityWithSingle, worldSize: worldSize, expected: reference.losses, actual: outcome.losses,
                           firstStep: 1, what: "single's loss")
            + parametersAgree(.parityWithSingle, worldSize: worldSize, expected: reference.final, actual: outcome.final)
    }

    private func determinism(worldSize: Int) async throws -> [Failure] {
        let first = try await uninterrupted(strategy, worldSize: worldSize)
        let backend = InMemoryBackend()
        let summary = try await withScratchFolder { folder in
            try await self.train(self.strategy, worldSize: worldSize, backend: backend, outputDir: folder)
        }
        let second = try await StrategyConformanceSavedState.read(from: backend, step: options.steps)
        return lossesIdentical(.determinism, worldSize: worldSize, expected: first.losses, actual: summary.losses,
                               firstStep: 1, what: "the first run's loss")
            + statesIdentical(.determinism, worldSize: worldSize, expected: first.final, actual: second,
                              what: "the second run's final checkpoint")
    }

    private func resumeIsBitIdentical(worldSize: Int) async throws -> [Failure] {
        let law = Law.resumeIsBitIdentical
        let reference = try await uninterrupted(strategy, worldSize: worldSize)
        let backend = InMemoryBackend()
        let k = options.stopAfterStep
        var failures: [Failure] = []
        var stopped = true
        try await withScratchFolder { folder in
            let first = try await train(strategy, worldSize: worldSize, backend: backend, outputDir: folder,
                                        stopAfterStep: k)
            guard first.stoppedEarly, first.finalStep == k, try await backend.committedSteps().contains(k) else {
                failures.append(failure(law, worldSize: worldSize, step: k,
                                        expected: "the run to stop after step \(k) with a committed checkpoint",
                                        actual: "it ended at step \(first.finalStep) "
                                            + "(stopped: \(first.stoppedEarly)), committed "
                                            + "\(try await backend.committedSteps())"))
                stopped = false
                return
            }
            if stoppedCheckpoints[worldSize] == nil {
                stoppedCheckpoints[worldSize] = try await backend.copying(stopCheckpoint)
            }
            let second = try await train(strategy, worldSize: worldSize, backend: backend, outputDir: folder,
                                         resume: true)
            failures += resumedRun(law, worldSize: worldSize, summary: second, from: k)
            failures += lossesIdentical(law, worldSize: worldSize, expected: reference.losses,
                                        actual: first.losses + second.losses, firstStep: 1,
                                        what: "the uninterrupted loss")
        }
        guard stopped else { return failures }
        let final = try await StrategyConformanceSavedState.read(from: backend, step: options.steps)
        return failures + statesIdentical(law, worldSize: worldSize, expected: reference.final, actual: final,
                                          what: "the resumed run's final checkpoint",
                                          hint: "a value the runtime does not save, or restores differently, "
                                              + "under the strategy namespace")
    }

    // MARK: - Runs

    /// The uninterrupted run of `strategy` at `worldSize`, made once.
    func uninterrupted(_ strategy: any DistStrategy, worldSize: Int) async throws -> Outcome {
        let key = "\(type(of: strategy).kind)@\(worldSize)"
        if let outcome = outcomes[key] { return outcome }
        let backend = InMemoryBackend()
        let summary = try await withScratchFolder { folder in
            try await train(strategy, worldSize: worldSize, backend: backend, outputDir: folder)
        }
        let final = try await StrategyConformanceSavedState.read(from: backend, step: options.steps)
        let outcome = Outcome(losses: summary.losses, final: final, backend: backend)
        outcomes[key] = outcome
        return outcome
    }

    /// A backend holding only the checkpoint of a run at `worldSize` stopped after ``Options/stopAfterStep``.
    func stoppedCheckpoint(worldSize: Int) async throws -> InMemoryBackend {
        if let stopped = stoppedCheckpoints[worldSize] { return stopped }
        let backend = InMemoryBackend()
        _ = try await withScratchFolder { folder in
            try await train(strategy, worldSize: worldSize, backend: backend, outputDir: folder,
                            stopAfterStep: options.stopAfterStep)
        }
        let stopped = try await backend.copying(stopCheckpoint)
        stoppedCheckpoints[worldSize] = stopped
        return stopped
    }

    /// Trains `strategy` on `worldSize` ranks with the real trainer, quietly.
    func train(
        _ strategy: any DistStrategy, worldSize: Int, backend: any CheckpointBackend, outputDir: String,
        resume: Bool = false, stopAfterStep: Int? = nil
    ) async throws -> TrainingSummary {
        let plan = fixture.plan(strategy: strategy, worldSize: worldSize, strategies: strategies, outputDir: outputDir,
                                resume: resume)
        let stop = StopSignal()
        if let stopAfterStep { stop.request(afterStep: stopAfterStep) }
        let logger = Logger(label: "cairn.conformance") { _ in SwiftLogNoOpLogHandler() }
        return try await TrainingRun(plan: plan, logger: logger, console: Console(fileDescriptor: 2, isTerminal: false),
                                     stopSignal: stop, checkpointBackend: backend).run()
    }

    /// Runs `body` with a fresh temporary folder (for the run's `metrics.jsonl` and final model), removed after.
    func withScratchFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cairn-conformance-\(kind)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }
}
