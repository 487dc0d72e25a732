import CairnConformance
import CairnCore
import Foundation
import LocalSGD
import Testing

/// `local_sgd` proved with Cairn's strategy laws: what it promises exactly, and where it is honestly not `ddp`.
@Suite(.serialized) struct LocalSGDStrategyTests {
    /// SGD with momentum and no clipping: linear in the gradient, so averaging replicas every step equals `single`.
    static let linear = StrategyConformance.Options(optimizer: .sgd(momentum: 0.9), learningRate: 0.1, maxGradNorm: 0)

    /// With `sync_every: 1`, each step's average of the replicas is `single`'s update, at every world size.
    @Test func synchronizingEveryStepMatchesSingleUnderSGD() async {
        await StrategyConformance.verify(
            LocalSGDStrategy.self, configuration: .init(syncEvery: 1), worldSizes: [1, 2, 3, 4], options: Self.linear,
            laws: [.parityWithSingle, .consistentReplicas])
    }

    /// With `sync_every: 4` (AdamW, clipping on), runs are reproducible and resume exactly across a synchronization,
    /// including after a failed save; checkpoints hold canonical keys; resuming at another world size is refused.
    @Test func resumesExactlyBetweenSynchronizations() async {
        await StrategyConformance.verify(
            LocalSGDStrategy.self, configuration: .init(syncEvery: 4), worldSizes: [1, 2, 3, 4],
            laws: [.determinism, .resumeIsBitIdentical, .failedSaveIsNeverCommitted, .canonicalKeys, .reshardedResume])
    }

    /// The two runtime laws of data-parallel strategies it does not keep, by design: its optimizer shards are rows
    /// of a stacked `[worldSize, …]` tensor (every rank's own replica) rather than pieces of one parameter, and
    /// between synchronizations the replicas differ while the saved model is the last average. The kit says so.
    @Test func itIsNotDataParallelBetweenSynchronizations() async {
        let failures = await StrategyConformance.check(
            LocalSGDStrategy.self, configuration: .init(syncEvery: 4), worldSizes: [2],
            laws: [.completeGradients, .consistentReplicas])
        #expect(failures.contains {
            $0.law == .completeGradients && $0.rank == 1 && $0.actual.contains("[2, 7] rows 1..<2")
        })
        #expect(failures.contains { $0.law == .consistentReplicas && $0.rank == 1 && $0.expected.contains("updated values") })
    }

    @Test(arguments: [0, -3])
    func configurationRejectsANonPositiveInterval(syncEvery: Int) throws {
        let error = try #require(throws: ConfigurationError.self) {
            _ = try JSONDecoder().decode(LocalSGDStrategy.Configuration.self, from: Data("{\"sync_every\": \(syncEvery)}".utf8))
        }
        #expect(error.keyPath == "dist_config.sync_every")
        #expect(throws: ConfigurationError.self) { try LocalSGDStrategy(configuration: .init(syncEvery: syncEvery)) }
    }

    @Test func configurationDefaultsToFourSteps() throws {
        #expect(try JSONDecoder().decode(LocalSGDStrategy.Configuration.self, from: Data("{}".utf8)).syncEvery == 4)
    }
}
