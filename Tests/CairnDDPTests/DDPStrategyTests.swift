import CairnConformance
import CairnCore
import CairnDDP
import Foundation
import Testing

@Suite(.serialized) struct DDPStrategyTests {
    /// Every law at 1, 2, 3 and 4 ranks; a cap of 0.01 MiB splits the tiny model's gradients into several buckets,
    /// so the bucketed all-reduce is what the laws exercise.
    @Test func ddpSatisfiesEveryLaw() async {
        await StrategyConformance.verify(
            DDPStrategy.self, configuration: .init(bucketCapMB: 0.01), worldSizes: [1, 2, 3, 4])
    }

    @Test(arguments: [0.0, -1.0])
    func configurationRejectsANonPositiveBucketCap(cap: Double) throws {
        let json = Data("{\"bucket_cap_mb\": \(cap)}".utf8)
        let error = try #require(throws: ConfigurationError.self) {
            _ = try JSONDecoder().decode(DDPStrategy.Configuration.self, from: json)
        }
        #expect(error.keyPath == "dist_config.bucket_cap_mb")
        #expect(error.code == .outOfRange)
    }

    @Test func configurationDefaultsToPyTorchsBucketCap() throws {
        let configuration = try JSONDecoder().decode(DDPStrategy.Configuration.self, from: Data("{}".utf8))
        #expect(configuration.bucketCapMB == 25)
    }
}
