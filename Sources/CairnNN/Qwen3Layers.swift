public import CairnCore
public import CairnTensor

/// Grouped-query self-attention with per-head q/k RMSNorm and rotary positions, as `Qwen3Attention`.
///
/// Shapes (B batch, T positions, Hq query heads, Hkv key/value heads, D head dimension):
/// `x [B·T, hidden] → q [B, T, Hq, D], k, v [B, T, Hkv, D] → o [B·T, Hq·D] → [B·T, hidden]`.
/// q_norm and k_norm normalise each head's D values before RoPE; the scale is D^-½.
public final class Qwen3Attention: Module {
    public let queryProjection: Linear
    public let keyProjection: Linear
    public let valueProjection: Linear
    public let outputProjection: Linear
    public let queryNorm: RMSNorm
    public let keyNorm: RMSNorm
    let configuration: Qwen3Configuration

    /// Creates the attention block of layer `prefix` (`model.layers.<i>.self_attn`).
    public init(prefix: StateKey, configuration c: Qwen3Configuration) {
        let epsilon = Float(c.rmsNormEpsilon)
        queryProjection = Linear(prefix: prefix.appending("q_proj"), inFeatures: c.hiddenSize,
                                 outFeatures: c.attentionHeadCount * c.headDimension)
        keyProjection = Linear(prefix: prefix.appending("k_proj"), inFeatures: c.hiddenSize,
                               outFeatures: c.keyValueHeadCount * c.headDimension)
        valueProjection = Linear(prefix: prefix.appending("v_proj"), inFeatures: c.hiddenSize,
                                 outFeatures: c.keyValueHeadCount * c.headDimension)
        outputProjection = Linear(prefix: prefix.appending("o_proj"), inFeatures: c.attentionHeadCount * c.headDimension,
                                  outFeatures: c.hiddenSize)
        queryNorm = RMSNorm(prefix: prefix.appending("q_norm"), dimension: c.headDimension, epsilon: epsilon)
        keyNorm = RMSNorm(prefix: prefix.appending("k_norm"), dimension: c.headDimension, epsilon: epsilon)
        configuration = c
    }

    /// Attends over `x` (`[B·T, hidden]`) causally.
    public func callAsFunction(_ x: Tensor, batchSize: Int, sequenceLength: Int, rotary: RotaryTable,
                               positions: [Int32]) -> Tensor {
        let c = configuration
        let q = queryNorm(queryProjection(x).reshaped([batchSize, sequenceLength, c.attentionHeadCount, c.headDimension]))
        let k = keyNorm(keyProjection(x).reshaped([batchSize, sequenceLength, c.keyValueHeadCount, c.headDimension]))
        let v = valueProjection(x).reshaped([batchSize, sequenceLength, c.keyValueHeadCount, c.headDimension])
        let attended = causalAttention(
            query: rotaryEmbedding(q, table: rotary, positions: positions),
            key: rotaryEmbedding(k, table: rotary, positions: positions), value: v,
            scale: 1 / Float(c.headDimension).squareRoot())
        return outputProjection(attended.reshaped([batchSize * sequenceLength, c.attentionHeadCount * c.headDimension]))
    }

    public var allParameters: [Parameter] {
        ([queryProjection, keyProjection, valueProjection, outputProjection, queryNorm, keyNorm] as [any Module])
            .flatMap(\.allParameters)
    }
}

/// The SwiGLU feed-forward block: `down(silu(gate(x)) ⊙ up(x))`, as `Qwen3MLP`.
public final class Qwen3MLP: Module {
    public let gateProjection: Linear
    public let upProjection: Linear
    public let downProjection: Linear

    /// Creates the block of layer `prefix` (`model.layers.<i>.mlp`).
    public init(prefix: StateKey, configuration c: Qwen3Configuration) {
        gateProjection = Linear(prefix: prefix.appending("gate_proj"), inFeatures: c.hiddenSize, outFeatures: c.intermediateSize)
        upProjection = Linear(prefix: prefix.appending("up_proj"), inFeatures: c.hiddenSize, outFeatures: c.intermediateSize)
        downProjection = Linear(prefix: prefix.appending("down_proj"), inFeatures: c.intermediateSize, outFeatures: c.hiddenSize)
    }

    /// Applies the block to `x` (`[N, hidden]`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        downProjection(swiglu(gate: gateProjection(x), up: upProjection(x)))
    }

    public var allParameters: [Parameter] {
        [gateProjection, upProjection, downProjection].flatMap(\.allParameters)
    }
}

/// One pre-norm decoder layer: `x + attn(norm(x))`, then `x + mlp(norm(x))`, as `Qwen3DecoderLayer`.
public final class Qwen3DecoderLayer: Module {
    public let inputNorm: RMSNorm
    public let attention: Qwen3Attention
    public let postAttentionNorm: RMSNorm
    public let mlp: Qwen3MLP

    /// Creates layer `index`.
    public init(index: Int, configuration c: Qwen3Configuration) {
        let prefix = StateKey("model.layers.\(index)")
        let epsilon = Float(c.rmsNormEpsilon)
        inputNorm = RMSNorm(prefix: prefix.appending("input_layernorm"), dimension: c.hiddenSize, epsilon: epsilon)
        attention = Qwen3Attention(prefix: prefix.appending("self_attn"), configuration: c)
        postAttentionNorm = RMSNorm(prefix: prefix.appending("post_attention_layernorm"), dimension: c.hiddenSize,
                                    epsilon: epsilon)
        mlp = Qwen3MLP(prefix: prefix.appending("mlp"), configuration: c)
    }

    /// Applies the layer to `x` (`[B·T, hidden]`).
    public func callAsFunction(_ x: Tensor, batchSize: Int, sequenceLength: Int, rotary: RotaryTable,
                               positions: [Int32]) -> Tensor {
        let attended = add(x, attention(inputNorm(x), batchSize: batchSize, sequenceLength: sequenceLength,
                                        rotary: rotary, positions: positions))
        return add(attended, mlp(postAttentionNorm(attended)))
    }

    public var allParameters: [Parameter] {
        ([inputNorm, attention, postAttentionNorm, mlp] as [any Module]).flatMap(\.allParameters)
    }
}
