import CairnConfig
public import CairnCore
import CairnData
import CairnNN
import CairnEmbedded
import CairnTensor
import Foundation
import Logging

/// Times the real training step (`RankTrainer.step` with AdamW, on one rank with the given strategy — `single` in
/// `cairn bench train`) on synthetic tokens.
public enum TrainingBenchmark {
    /// One shape's figures.
    public struct Result: Sendable, Hashable {
        public var shape: BenchmarkShape
        public var steps: Int
        /// The median of the timed steps' wall-clock seconds (robust to a noisy neighbour on a shared machine).
        public var secondsPerStep: Double
        /// The fastest timed step's seconds.
        public var bestSecondsPerStep: Double
        /// Tokens per second at the median step time.
        public var tokensPerSecond: Double { Double(shape.batchSize * shape.sequenceLength) / secondsPerStep }
        /// Model FLOP/s at the median step time (see ``BenchmarkShape/trainingFLOPsPerToken``), in GFLOP/s.
        public var modelGFLOPs: Double { tokensPerSecond * shape.trainingFLOPsPerToken / 1e9 }
    }

    /// Runs `warmupSteps` untimed and `steps` timed optimizer steps of `shape`, one micro-batch per step.
    public static func run(
        _ shape: BenchmarkShape, strategy: any DistStrategy, steps: Int, warmupSteps: Int = 2
    ) async throws -> Result {
        let plan = syntheticPlan(shape, strategy: strategy, totalSteps: steps + warmupSteps)
        let results = try await LocalRankGroup(worldSize: 1).run { communicator in
            let trainer = try await RankTrainer(plan: plan, communicator: communicator,
                                                logger: Logger(label: "cairn.bench"), console: .standardError)
            for _ in 0..<warmupSteps { _ = try await trainer.step() }
            var seconds: [Double] = []
            for _ in 0..<steps {
                let start = ContinuousClock.now
                _ = try await trainer.step()
                seconds.append((ContinuousClock.now - start) / .seconds(1))
            }
            return seconds.sorted()
        }
        let sorted = results[0]
        return Result(shape: shape, steps: steps, secondsPerStep: sorted[sorted.count / 2],
                      bestSecondsPerStep: sorted[0])
    }

    /// A plan over random tokens whose every position carries loss, so each micro-batch is exactly B×T.
    static func syntheticPlan(_ shape: BenchmarkShape, strategy: any DistStrategy, totalSteps: Int) -> TrainingPlan {
        var generator = PhiloxRandom(seed: 7, label: "bench.tokens")
        let vocabulary = UInt32(shape.model.vocabularySize)
        let samples = (0..<shape.batchSize * 4).map { _ in
            let tokens = (0...shape.sequenceLength).map { _ in Int32(generator.next32() % vocabulary) }
            return TokenizedSample(inputIDs: Array(tokens.dropLast()), targets: Array(tokens.dropFirst()))
        }
        var configuration = TrainingConfiguration(model: "<benchmark>", trainDataset: "<synthetic>", outputDir: "<none>")
        configuration.microBatchSize = shape.batchSize
        configuration.globalBatchSize = shape.batchSize
        configuration.maxSteps = totalSteps
        configuration.learningRate = 1e-4
        return TrainingPlan(
            configuration: configuration, model: shape.model, hasPretrainedWeights: false, tokenizer: ByteTokenizer(),
            tokenizerReference: TokenizerLoader.byteTokenizerName, samples: samples, strategy: strategy, strategies: StrategyRegistry(),
            modelFingerprint: "synthetic",
            worldSize: 1, globalBatchSize: shape.batchSize, accumulationSteps: 1, totalSteps: totalSteps,
            warmupSteps: 0, paddingTokenID: 0)
    }
}
