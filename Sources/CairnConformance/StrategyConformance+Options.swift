public import CairnLoRA

extension StrategyConformance {
    /// What the laws train with, and how closely a strategy must match `single`.
    ///
    /// The defaults suit a strategy that computes the same mathematics as `single` (every data-parallel and
    /// sharded strategy): AdamW, clipping at 1.0, six steps of a global batch of 12. A strategy whose algorithm is
    /// only equal to `single` under narrower conditions says so here, for example local SGD, which matches only
    /// with plain SGD, no clipping and synchronization every step:
    ///
    /// ```swift
    /// var options = StrategyConformance.Options()
    /// options.optimizer = .sgd(momentum: 0)
    /// options.maxGradNorm = 0
    /// ```
    public struct Options: Sendable, Hashable {
        /// The optimizer of every run.
        public enum Optimizer: Sendable, Hashable {
            /// AdamW (β = 0.9, 0.999, ε = 1e-8).
            case adamw
            /// SGD with the given momentum (0 for plain SGD).
            case sgd(momentum: Double)
        }

        /// The optimizer (default AdamW).
        public var optimizer: Optimizer
        /// The peak learning rate of the cosine schedule (no warmup, so the first step updates; floor at 10 %);
        /// default 1e-2.
        public var learningRate: Double
        /// Decoupled weight decay for AdamW, L2 for SGD (default 0.01).
        public var weightDecay: Double
        /// The global gradient-norm clip; 0 disables it (default 1.0).
        public var maxGradNorm: Double
        /// Optimizer steps of every run (default 6; at least 3).
        public var steps: Int
        /// Checkpoint every this many steps (default 2). ``Law/failedSaveIsNeverCommitted`` breaks the second of
        /// these saves, so `2 × saveSteps` must be below ``steps``.
        public var saveSteps: Int
        /// Where the resume laws stop a run (default 3: between two scheduled saves, so the stop's own save is
        /// what resumes).
        public var stopAfterStep: Int
        /// Samples per optimizer step over all ranks (default 12). Must be a multiple of
        /// `microBatchSize × worldSize` for every world size tested.
        public var globalBatchSize: Int
        /// Samples per rank per micro-step (default 1, so the accumulation differs at every world size).
        public var microBatchSize: Int
        /// The seed of the model's initial weights, the samples and the data order (default 7).
        public var seed: Int
        /// The largest relative difference allowed between a step's loss and `single`'s (default 1e-5, DESIGN.md
        /// §9), in ``Law/parityWithSingle`` and ``Law/reshardedResume``.
        public var lossTolerance: Double
        /// The largest difference allowed between a final parameter and `single`'s, relative to the largest
        /// magnitude in that tensor (default 1e-5; `ddp` measures about 2e-7 after six AdamW steps).
        public var parameterTolerance: Double
        /// LoRA composed with the strategy (`peft_config`), or `nil` (default) for full fine-tuning. With LoRA,
        /// every trainer law runs adapters on a frozen base — `single`'s reference too — and checkpoints hold only
        /// the adapters; the runtime laws drive the strategy itself on the kit's minimal model, whose frozen
        /// parameter stands for LoRA's base. Parity across world sizes needs `dropout: 0` (a dropout mask belongs
        /// to the rank that draws it); determinism and resume hold with any dropout.
        public var lora: LoRAConfiguration?

        /// Creates options; every argument has the default described on its property.
        public init(
            optimizer: Optimizer = .adamw, learningRate: Double = 1e-2, weightDecay: Double = 0.01,
            maxGradNorm: Double = 1.0, steps: Int = 6, saveSteps: Int = 2, stopAfterStep: Int = 3,
            globalBatchSize: Int = 12, microBatchSize: Int = 1, seed: Int = 7, lossTolerance: Double = 1e-5,
            parameterTolerance: Double = 1e-5, lora: LoRAConfiguration? = nil
        ) {
            self.optimizer = optimizer
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.maxGradNorm = maxGradNorm
            self.steps = steps
            self.saveSteps = saveSteps
            self.stopAfterStep = stopAfterStep
            self.globalBatchSize = globalBatchSize
            self.microBatchSize = microBatchSize
            self.seed = seed
            self.lossTolerance = lossTolerance
            self.parameterTolerance = parameterTolerance
            self.lora = lora
        }

        /// What is wrong with these options for `worldSizes`, or `nil`.
        func problem(worldSizes: [Int]) -> String? {
            if worldSizes.isEmpty { return "worldSizes is empty" }
            if let bad = worldSizes.first(where: { $0 < 1 }) { return "world size \(bad) is below 1" }
            if steps < 3 { return "steps is \(steps); the resume laws need at least 3" }
            if saveSteps < 1 || 2 * saveSteps >= steps {
                return "saveSteps is \(saveSteps); it must be at least 1 and 2 × saveSteps below steps (\(steps))"
            }
            if stopAfterStep < 1 || stopAfterStep >= steps {
                return "stopAfterStep is \(stopAfterStep); it must lie in 1..<steps (\(steps))"
            }
            if microBatchSize < 1 { return "microBatchSize is \(microBatchSize)" }
            for worldSize in worldSizes
            where globalBatchSize < 1 || globalBatchSize % (microBatchSize * worldSize) != 0 {
                return "globalBatchSize \(globalBatchSize) is not a multiple of microBatchSize \(microBatchSize) × "
                    + "world size \(worldSize); choose one that every world size divides (12 suits 1, 2, 3 and 4)"
            }
            if !(lossTolerance >= 0) || !(parameterTolerance >= 0) { return "a tolerance is negative or NaN" }
            return nil
        }
    }
}
