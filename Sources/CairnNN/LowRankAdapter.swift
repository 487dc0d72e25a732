public import CairnCore
public import CairnTensor

/// A LoRA adapter on a linear layer (Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", 2021), as
/// Hugging Face PEFT implements it:
///
/// ```text
/// y = x · Wᵀ + (α / r) · (dropout(x) · Aᵀ) · Bᵀ        A: [r, in], B: [out, r]
/// ```
/// A starts Kaiming-uniform with a = √5 — uniform on ±1/√in, what `nn.init.kaiming_uniform_(A, a=math.sqrt(5))`
/// gives — and B at zero, so training starts from the base model. Keys are siblings of the base weight
/// (`…q_proj.lora_A.weight`, `…q_proj.lora_B.weight`); the base key is unchanged.
public final class LowRankAdapter: Module {
    /// A, `[rank, in]`.
    public let a: Parameter
    /// B, `[out, rank]`.
    public let b: Parameter
    /// α / r.
    public let scaling: Float
    /// The dropout probability applied to the adapter's input while training.
    public let dropout: Float
    /// Where dropout draws from; `nil` disables dropout (inference).
    public var randomness: RandomSource?

    /// Creates an adapter for the linear layer whose weight key is `<prefix>.weight`.
    public init(prefix: StateKey, inFeatures: Int, outFeatures: Int, rank: Int, alpha: Double, dropout: Double) {
        precondition(rank >= 1, "LowRankAdapter: rank \(rank) < 1")
        a = Parameter(key: prefix.appending("lora_A.weight"), tensor: .zeros([rank, inFeatures]))
        b = Parameter(key: prefix.appending("lora_B.weight"), tensor: .zeros([outFeatures, rank]))
        scaling = Float(alpha / Double(rank))
        self.dropout = Float(dropout)
    }

    /// The rank r.
    public var rank: Int { a.shape[0] }

    /// Initialises A as PEFT does (B stays zero), from the parameter's own stream.
    public func initialize(seed: UInt64) {
        var generator = PhiloxRandom(seed: seed, label: a.key.rawValue)
        let bound = 1 / Float(a.shape[1]).squareRoot()
        let sample = Tensor.uniform(a.shape, lower: -bound, upper: bound, generator: &generator)
        sample.withUnsafeBufferPointer { _ = a.values.update(fromContentsOf: $0) }
        b.values.update(repeating: 0)
    }

    /// The adapter's contribution for `x` (`[..., in]` → `[..., out]`); dropout applies only while a tape records.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var input = x
        if dropout > 0, Tape.current != nil, let randomness {
            input = CairnTensor.dropout(x, probability: dropout, generator: &randomness.generator)
        }
        return scale(linear(linear(input, weight: a.tensor), weight: b.tensor), by: scaling)
    }

    public var allParameters: [Parameter] { [a, b] }
}
