public import CairnCore
public import CairnTensor

/// A bias-free linear layer, `y = x · Wᵀ`, with `W` of shape `[out, in]` as in `torch.nn.Linear`.
public final class Linear: Module {
    /// The weight, `[outFeatures, inFeatures]`.
    public let weight: Parameter
    /// A LoRA adapter added to the layer's output, if one is attached.
    public private(set) var adapter: LowRankAdapter?

    /// Creates a layer whose weight is `weight`.
    public init(weight: Parameter) {
        precondition(weight.shape.count == 2, "Linear \(weight.key): weight must be 2-D, got \(weight.shape)")
        self.weight = weight
    }

    /// Creates a zero-initialised layer under `prefix` (the weight's key is `<prefix>.weight`).
    public convenience init(prefix: StateKey, inFeatures: Int, outFeatures: Int) {
        self.init(weight: Parameter(key: prefix.appending("weight"), tensor: .zeros([outFeatures, inFeatures])))
    }

    /// The number of input features.
    public var inFeatures: Int { weight.shape[1] }
    /// The number of output features.
    public var outFeatures: Int { weight.shape[0] }

    /// The key prefix of the layer (`model.layers.0.self_attn.q_proj`).
    public var prefix: StateKey { StateKey(String(weight.key.rawValue.dropLast(".weight".count))) }

    /// Applies the layer to `x` of shape `[..., in]`: `x · Wᵀ`, plus the adapter's contribution when attached.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let base = linear(x, weight: weight.tensor)
        guard let adapter else { return base }
        return add(base, adapter(x))
    }

    /// Attaches a LoRA adapter of rank `rank` (replacing any previous one) and returns it.
    @discardableResult
    public func attachAdapter(rank: Int, alpha: Double, dropout: Double) -> LowRankAdapter {
        let adapter = LowRankAdapter(prefix: prefix, inFeatures: inFeatures, outFeatures: outFeatures, rank: rank,
                                     alpha: alpha, dropout: dropout)
        self.adapter = adapter
        return adapter
    }

    public var allParameters: [Parameter] { [weight] + (adapter?.allParameters ?? []) }
}

/// Root-mean-square layer normalisation with a learned scale, as `Qwen3RMSNorm`.
public final class RMSNorm: Module {
    /// The scale, `[dimension]`, initialised to ones.
    public let weight: Parameter
    /// The ε added to the mean square.
    public let epsilon: Float

    /// Creates a norm with ones as its scale under `prefix`.
    public init(prefix: StateKey, dimension: Int, epsilon: Float) {
        self.weight = Parameter(key: prefix.appending("weight"),
                                tensor: Tensor(shape: [dimension], values: Array(repeating: 1, count: dimension)))
        self.epsilon = epsilon
    }

    /// Normalises `x` over its last dimension.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        rmsNorm(x, weight: weight.tensor, epsilon: epsilon)
    }

    public var allParameters: [Parameter] { [weight] }
}

/// A lookup table of token embeddings, `[vocabulary, dimension]`.
public final class Embedding: Module {
    /// The table.
    public let weight: Parameter

    /// Creates a zero table under `prefix`.
    public init(prefix: StateKey, vocabularySize: Int, dimension: Int) {
        self.weight = Parameter(key: prefix.appending("weight"), tensor: .zeros([vocabularySize, dimension]))
    }

    /// The rows for `tokens`, `[tokens.count, dimension]`.
    public func callAsFunction(_ tokens: [Int32]) -> Tensor {
        embedding(weight.tensor, indices: tokens)
    }

    public var allParameters: [Parameter] { [weight] }
}
