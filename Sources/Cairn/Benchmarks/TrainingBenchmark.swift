import CairnConfig
import CairnCore
import CairnData
import CairnNN
import CairnEmbedded
import CairnSingle
import CairnTensor
import Foundation
import Logging

/// Times the real training step (`RankTrainer.step`, `single` strategy, AdamW) on synthetic tokens and reports it
/// against the sgemm peak measured in the same run.
public enum TrainingBenchmark {
    /// One shape's figures.
    public struct Result: Sendable, Hashable {
        public var shape: BenchmarkShape
        public var steps: Int
        public var secondsPerStep: Double
        public var tokensPerSecond: Double
        /// Model FLOP/s (see ``BenchmarkShape/trainingFLOPsPerToken``) in GFLOP/s.
        public var modelGFLOPs: Double
    }

    /// Runs `warmupSteps` untimed and `steps` timed optimizer steps of `shape`, one micro-batch per step.
    public static func run(_ shape: BenchmarkShape, steps: Int, warmupSteps: Int = 2) async throws -> Result {
        let plan = syntheticPlan(shape, totalSteps: steps + warmupSteps)
        let results = try await LocalRankGroup(worldSize: 1).run { communicator in
            let trainer = try await RankTrainer(plan: plan, communicator: communicator,
                                                logger: Logger(label: "cairn.bench"), console: .standardError)
            for _ in 0..<warmupSteps { _ = try await trainer.step() }
            let start = ContinuousClock.now
            for _ in 0..<steps { _ = try await trainer.step() }
            return (ContinuousClock.now - start) / .seconds(1)
        }
        let secondsPerStep = results[0] / Double(steps)
        let tokensPerSecond = Double(shape.batchSize * shape.sequenceLength) / secondsPerStep
        return Result(shape: shape, steps: steps, secondsPerStep: secondsPerStep, tokensPerSecond: tokensPerSecond,
                      modelGFLOPs: tokensPerSecond * shape.trainingFLOPsPerToken / 1e9)
    }

    /// A plan over random tokens whose every position carries loss, so each micro-batch is exactly B×T.
    static func syntheticPlan(_ shape: BenchmarkShape, totalSteps: Int) -> TrainingPlan {
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
            tokenizerReference: TokenizerLoader.byteTokenizerName, samples: samples, strategy: SingleDeviceStrategy(),
            worldSize: 1, globalBatchSize: shape.batchSize, accumulationSteps: 1, totalSteps: totalSteps,
            warmupSteps: 0, paddingTokenID: 0)
    }
}
