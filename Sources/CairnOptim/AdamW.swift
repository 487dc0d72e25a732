public import CairnCore
import CairnTensor
import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019),
/// computed as `torch.optim.AdamW` does (single-tensor path, no AMSGrad):
///
/// ```text
/// step ← step + 1
/// θ ← θ · (1 − lr · λ)
/// m ← m + (1 − β₁) · (g − m)                      (torch's lerp for weight < 0.5)
/// v ← β₂ · v + (1 − β₂) · g²
/// θ ← θ + (−lr / (1 − β₁^step)) · m / (√v / √(1 − β₂^step) + ε)   (torch's addcdiv order)
/// ```
/// Scalars are computed in double precision and rounded once, as Python floats are before torch applies them.
/// State per parameter: `exp_avg`, `exp_avg_sq` (shaped like the piece) and `step`.
public final class AdamW: Optimizer {
    /// The hyperparameters; the learning rate comes from the schedule at each step.
    public struct Hyperparameters: Hashable, Sendable {
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var weightDecay: Double

        /// Creates hyperparameters; defaults are torch's except weight decay, which follows the config default 0.
        public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    /// The hyperparameters in use.
    public let hyperparameters: Hyperparameters
    private var slots = OptimizerSlots(slotNames: ["exp_avg", "exp_avg_sq"])

    /// Creates an optimizer with no state; call ``prepare(for:)`` before stepping or loading.
    public init(_ hyperparameters: Hyperparameters = Hyperparameters()) {
        self.hyperparameters = hyperparameters
    }

    public func prepare(for pieces: [(key: StateKey, layout: TensorLayout)]) throws {
        slots.prepare(for: pieces)
    }

    public func step(_ shards: [ParameterShard], learningRate: Double) throws {
        for shard in shards {
            let entry = try slots.entry(for: shard)
            let step = slots.advanceStep(shard.key)
            update(shard, expAvg: entry.slots[0].elements(of: Float.self),
                   expAvgSq: entry.slots[1].elements(of: Float.self), step: step, learningRate: learningRate)
        }
    }

    public func stateDict() throws -> StateDict { slots.stateDict() }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try slots.load(dict, options: options)
    }

    // MARK: - Private helpers

    private func update(
        _ shard: ParameterShard, expAvg: UnsafeMutableBufferPointer<Float>,
        expAvgSq: UnsafeMutableBufferPointer<Float>, step: Int64, learningRate: Double
    ) {
        let h = hyperparameters
        let decay = Float(1 - learningRate * h.weightDecay)
        let applyDecay = h.weightDecay != 0
        let oneMinusBeta1 = Float(1 - h.beta1)
        let beta2 = Float(h.beta2)
        let oneMinusBeta2 = Float(1 - h.beta2)
        let stepSize = Float(learningRate / (1 - pow(h.beta1, Double(step))))
        let correction2Root = Float((1 - pow(h.beta2, Double(step))).squareRoot())
        let epsilon = Float(h.epsilon)
        let values = shard.values
        let gradient = shard.gradient
        Parallel.forEachChunk(count: values.count, minimumChunk: 1 << 15) { range in
            for i in range {
                let g = gradient[i]
                var theta = values[i]
                if applyDecay { theta *= decay }
                let m = expAvg[i] + oneMinusBeta1 * (g - expAvg[i])
                let v = beta2 * expAvgSq[i] + oneMinusBeta2 * g * g
                expAvg[i] = m
                expAvgSq[i] = v
                let denominator = v.squareRoot() / correction2Root + epsilon
                values[i] = theta + (-stepSize * m) / denominator
            }
        }
    }
}
