public import CairnCore
import CairnTensor

/// Stochastic gradient descent with optional momentum and L2 weight decay, computed as `torch.optim.SGD` does
/// (dampening 0, no Nesterov):
///
/// ```text
/// g ← g + λ · θ                       (when λ ≠ 0)
/// b ← g on the first step, else μ · b + g    (when μ ≠ 0)
/// θ ← θ − lr · b
/// ```
/// State per parameter: `momentum_buffer` (zeros until the first step) and `step`.
public final class SGD: Optimizer {
    /// Momentum μ.
    public let momentum: Double
    /// L2 weight decay λ, added to the gradient.
    public let weightDecay: Double
    private var slots = OptimizerSlots(slotNames: ["momentum_buffer"])

    /// Creates an optimizer with no state; call ``prepare(for:)`` before stepping or loading.
    public init(momentum: Double = 0, weightDecay: Double = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func prepare(for pieces: [(key: StateKey, layout: TensorLayout)]) throws {
        slots.prepare(for: pieces)
    }

    public func step(_ shards: [ParameterShard], learningRate: Double) throws {
        let mu = Float(momentum)
        let lambda = Float(weightDecay)
        let lr = Float(learningRate)
        for shard in shards {
            let buffer = try slots.entry(for: shard).slots[0].elements(of: Float.self)
            let isFirst = slots.advanceStep(shard.key) == 1
            let values = shard.values
            let gradient = shard.gradient
            let useMomentum = momentum != 0
            Parallel.forEachChunk(count: values.count, minimumChunk: 1 << 15) { range in
                for i in range {
                    var g = gradient[i]
                    if lambda != 0 { g += lambda * values[i] }
                    if useMomentum {
                        let b = isFirst ? g : mu * buffer[i] + g
                        buffer[i] = b
                        g = b
                    }
                    values[i] -= lr * g
                }
            }
        }
    }

    public func stateDict() throws -> StateDict { slots.stateDict() }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try slots.load(dict, options: options)
    }
}
