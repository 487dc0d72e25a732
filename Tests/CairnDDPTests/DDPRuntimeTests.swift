import CairnConformance
import CairnCore
import CairnDDP
import CairnEmbedded
import Testing

@Suite struct DDPRuntimeTests {
    /// The trainable element counts of `StrategyConformance.MinimalModel` in key order (the frozen one excluded).
    static let trainableCounts = [16, 1, 12, 15, 21, 7]

    private func bucketCounts(capBytes: Int) async throws -> [Int] {
        let strategy = DDPStrategy(configuration: .init(bucketCapMB: Double(capBytes) / 1_048_576))
        return try await LocalRankGroup(worldSize: 1).run { communicator in
            try await strategy.makeRuntime(
                for: StrategyConformance.MinimalModel(), context: StrategyContext(communicator: communicator, seed: 0)
            ).bucketElementCounts
        }[0]
    }

    /// Parameters fill a bucket in key order until the next would pass the cap; a parameter larger than the cap
    /// gets a bucket of its own.
    @Test func bucketsHonourTheCap() async throws {
        #expect(try await bucketCounts(capBytes: 64) == [16, 13, 15, 21, 7])
        #expect(try await bucketCounts(capBytes: 4) == Self.trainableCounts)
        #expect(try await bucketCounts(capBytes: 25 * 1_048_576) == [Self.trainableCounts.reduce(0, +)])
        for cap in [4, 40, 64, 100, 200] {
            let counts = try await bucketCounts(capBytes: cap)
            #expect(counts.reduce(0, +) == Self.trainableCounts.reduce(0, +), "every gradient is in exactly one bucket")
            for count in counts where count * 4 > cap {
                #expect(Self.trainableCounts.contains(count), "a bucket over the cap \(cap) B holds one parameter")
            }
        }
    }

    /// After steps with gradients that differ per rank and do not sum exactly, every rank holds the same bits.
    @Test(arguments: [2, 3, 4])
    func replicasStayBitIdenticalAcrossRanks(worldSize: Int) async throws {
        let strategy = DDPStrategy(configuration: .init(bucketCapMB: 0.0001))
        let replicas = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let model = StrategyConformance.MinimalModel(seed: UInt64(communicator.rank))  // broadcast must align them
            let runtime = try await strategy.makeRuntime(
                for: model, context: StrategyContext(communicator: communicator, seed: 0))
            var generator = PhiloxRandom(seed: 11, label: "gradients.rank.\(communicator.rank)")
            for step in 0..<3 {
                let context = StepContext(globalStep: step, microStep: 0, accumulationSteps: 1)
                for parameter in model.minimalParameters where parameter.isTrainable {
                    let gradient = parameter.gradient
                    for i in 0..<gradient.count { gradient[i] += generator.nextUniform() - 0.5 }
                }
                try await runtime.synchronizeGradients(context)
                for shard in try runtime.optimizerShards() {
                    for i in 0..<shard.values.count { shard.values[i] -= 0.1 * shard.gradient[i] }
                }
                try await runtime.finishStep(context)
            }
            return model.minimalParameters.map { parameter in
                (Array(parameter.values).map(\.bitPattern), parameter.isTrainable ? Array(parameter.gradient) : [])
            }
        }
        for rank in 1..<worldSize {
            for (index, (values, gradient)) in replicas[rank].enumerated() {
                let key = StrategyConformance.MinimalModel.layout[index].key
                #expect(values == replicas[0][index].0, "rank \(rank) differs from rank 0 on \(key)")
                #expect(gradient.allSatisfy { $0 == 0 }, "rank \(rank) left a gradient on \(key)")
            }
        }
    }
}
