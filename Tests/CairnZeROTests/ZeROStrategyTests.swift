import CairnConformance
import CairnCore
import CairnZeRO
import Foundation
import Testing

@Suite(.serialized) struct ZeROStrategyTests {
    // MARK: - Laws

    /// Every law at 1, 2, 3 and 4 ranks, for each stage, with DeepSpeed's default buckets.
    @Test(arguments: ZeROStage.allCases)
    func zeroSatisfiesEveryLaw(stage: ZeROStage) async {
        await StrategyConformance.verify(ZeROStrategy.self, configuration: .init(stage: stage), worldSizes: [1, 2, 3, 4])
    }

    /// The runtime laws again with buckets of a few elements, so every collective runs in many padded rounds.
    @Test(arguments: ZeROStage.allCases)
    func tinyBucketsKeepTheRuntimeLaws(stage: ZeROStage) async {
        await StrategyConformance.verify(
            ZeROStrategy.self, configuration: .init(stage: stage, reduceBucketSize: 5, allgatherBucketSize: 3),
            worldSizes: [1, 2, 3, 4], laws: [.completeGradients, .consistentReplicas])
    }

    // MARK: - Configuration

    @Test func configurationReadsStageAndDeepSpeedBucketNames() throws {
        let json = #"{"name": "zero", "world_size": 4, "stage": 3, "reduce_bucket_size": 5e8, "allgather_bucket_size": 1024}"#
        let configuration = try decode(json)
        #expect(configuration.stage == .parameters)
        #expect(configuration.reduceBucketSize == 500_000_000)
        #expect(configuration.allgatherBucketSize == 1024)
    }

    @Test func bucketSizesDefaultToDeepSpeeds() throws {
        let configuration = try decode(#"{"stage": 1}"#)
        #expect(configuration == ZeROStrategy.Configuration(stage: .optimizerState))
        #expect(configuration.reduceBucketSize == 500_000_000 && configuration.allgatherBucketSize == 500_000_000)
    }

    @Test func stageIsRequired() {
        let error = #expect(throws: ConfigurationError.self) { try decode("{}") }
        #expect(error?.code == .missingKey)
        #expect(error?.keyPath == "dist_config.stage")
    }

    @Test(arguments: [0, 4, -1])
    func stageOutsideOneToThreeIsOutOfRange(stage: Int) {
        let error = #expect(throws: ConfigurationError.self) { try decode(#"{"stage": \#(stage)}"#) }
        #expect(error?.code == .outOfRange)
        #expect(error?.keyPath == "dist_config.stage")
    }

    @Test(arguments: ["0", "-5", "1.5", "1e300"])
    func bucketSizeMustBeAWholePositiveCount(value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try decode(#"{"stage": 2, "allgather_bucket_size": \#(value)}"#)
        }
        #expect(error?.code == .outOfRange)
        #expect(error?.keyPath == "dist_config.allgather_bucket_size")
    }

    @Test func unknownKeyIsAnError() {
        let error = #expect(throws: ConfigurationError.self) { try decode(#"{"stage": 2, "overlap_comm": true}"#) }
        #expect(error?.code == .unknownKey)
        #expect(error?.keyPath == "dist_config.overlap_comm")
    }

    @Test func kindIsZero() {
        #expect(ZeROStrategy.kind == "zero")
        #expect(ZeROStrategy.supportsReshardedResume)
    }

    // MARK: - Private helpers

    private func decode(_ json: String) throws -> ZeROStrategy.Configuration {
        try JSONDecoder().decode(ZeROStrategy.Configuration.self, from: Data(json.utf8))
    }
}
