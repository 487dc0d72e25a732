public import CairnCore
public import CairnTensor

/// A bias-free linear layer, `y = x · Wᵀ`, with `W` of shape `[out, in]` as in `torch.nn.Linear`.
public final class Linear: Module {
    /// The weight, `[outFeatures, inFeatures]`.
    public let weight: Parameter

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

    /// Applies the layer to `x` of shape `[..., in]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: weight.tensor)
    }

    public var allParameters: [Parameter] { [weight] }
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
