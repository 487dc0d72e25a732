/// What one optimizer step measured, on every rank the same (losses are all-reduced).
public struct StepMetrics: Sendable, Hashable, Codable {
    /// The step number, 1-based (the value of `global_step` after it).
    public var step: Int
    /// The epoch after the step, as a fraction.
    public var epoch: Double
    /// The step's loss: Σ per-token loss over the global batch / its loss-token count.
    public var loss: Double
    /// The learning rate the step used.
    public var learningRate: Double
    /// The global gradient norm before clipping.
    public var gradientNorm: Double
    /// Loss-bearing tokens in the global batch.
    public var lossTokens: Int
    /// Non-padding tokens processed by all ranks.
    public var tokens: Int
    /// Wall-clock seconds the step took.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss
        case learningRate = "lr"
        case gradientNorm = "grad_norm"
        case lossTokens = "loss_tokens"
        case tokens
        case seconds
    }

    /// Non-padding tokens per second.
    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
}
