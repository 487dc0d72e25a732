import CairnConfig
public import CairnCore
import CairnData
import CairnNN
import CairnEmbedded
import CairnTensor
import Foundation
import Logging

/// Times the real training step (`RankTrainer.step` with AdamW, with the given strategy on `worldSize` in-process
/// ranks — `single`, and `ddp` on two ranks, in `cairn bench train`) on synthetic tokens.
public enum TrainingBenchmark {
    /// One shape's figures.
    public struct Result: Sendable, Hashable {
        public var shape: BenchmarkShape
        /// Ranks, each computing one micro-batch of the shape per step.
        public var worldSize: Int
        public var steps: Int
        /// The median of the timed steps' wall-clock seconds (robust to a noisy neighbour on a shared machine).
        public var secondsPerStep: Double
        /// The fastest timed step's seconds.
        public var bestSecondsPerStep: Double
        /// Tokens per second over all ranks at the median step time.
        public var tokensPerSecond: Double {
            Double(worldSize * shape.batchSize * shape.sequenceLength) / secondsPerStep
        }
        /// Model FLOP/s at the median step time (see ``BenchmarkShape/trainingFLOPsPerToken``), in GFLOP/s.
        public var modelGFLOPs: Double { tokensPerSecond * shape.trainingFLOPsPerToken / 1e9 }
    }

    /// Runs `warmupSteps` untimed and `steps` timed optimizer steps of `shape`, one micro-batch per rank per step,
    /// on `worldSize` in-process ranks sharing the machine's cores as `cairn train` shares them. A step's time is
    /// the slowest rank's.
    public static func run(
        _ shape: BenchmarkShape, strategy: any DistStrategy, worldSize: Int = 1, steps: Int, warmupSteps: Int = 2
    ) async throws -> Result {
        let plan = syntheticPlan(shape, strategy: strategy, worldSize: worldSize, totalSteps: steps + warmupSteps)
        let threads = BLAS.threadCount
        BLAS.setThreadCount(max(1, ProcessInfo.processInfo.activeProcessorCount / worldSize))
        defer { BLAS.setThreadCount(threads) }
        let results = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let trainer = try await RankTrainer(plan: plan, communicator: communicator,
                                                logger: Logger(label: "cairn.bench"), console: .standardError)
            for _ in 0..<warmupSteps { _ = try await trainer.step() }
            var seconds: [Double] = []
            for _ in 0..<steps {
                try await communicator.barrier()
                let start = ContinuousClock.now
                _ = try await trainer.step()
                seconds.append((ContinuousClock.now - start) / .seconds(1))
            }
            return seconds
        }
        let slowest = (0..<steps).map { step in results.map { $0[step] }.max() ?? 0 }.sorted()
        return Result(shape: shape, worldSize: worldSize, steps: steps, secondsPerStep: slowest[slowest.count / 2],
                      bestSecondsPerStep: slowest[0])
    }

    /// A plan over random tokens whose every position carries loss, so each micro-batch is exactly B×T.
    static func syntheticPlan(
        _ shape: BenchmarkShape, strategy: any DistStrategy, worldSize: Int, totalSteps: Int
    ) -> TrainingPlan {
        var generator = PhiloxRandom(seed: 7, label: "bench.tokens")
        let vocabulary = UInt32(shape.model.vocabularySize)
        let samples = (0..<shape.batchSize * worldSize * 4).map { _ in
            let tokens = (0...shape.sequenceLength).map { _ in Int32(generator.next32() % vocabulary) }
            return TokenizedSample(inputIDs: Array(tokens.dropLast()), targets: Array(tokens.dropFirst()))
        }
        var configuration = TrainingConfiguration(model: "<benchmark>", trainDataset: "<synthetic>", outputDir: "<none>")
        configuration.microBatchSize = shape.batchSize
        configuration.globalBatchSize = shape.batchSize * worldSize
        configuration.maxSteps = totalSteps
        configuration.learningRate = 1e-4
        return TrainingPlan(
            configuration: configuration, model: shape.model, hasPretrainedWeights: false, tokenizer: ByteTokenizer(),
            tokenizerReference: TokenizerLoader.byteTokenizerName, samples: samples, strategy: strategy, strategies: StrategyRegistry(),
            modelFingerprint: "synthetic",
            worldSize: worldSize, globalBatchSize: shape.batchSize * worldSize, accumulationSteps: 1,
            totalSteps: totalSteps,
            warmupSteps: 0, paddingTokenID: 0)
    }
}
