public import CairnCore
public import CairnTensor

/// A Qwen3-style causal language model: token embedding, decoder layers, final RMSNorm and a (possibly tied)
/// output head, with parameter keys exactly as in Hugging Face checkpoints.
///
/// Canonical keys are the Hugging Face names under the `model` namespace: `model.embed_tokens.weight`,
/// `model.layers.0.self_attn.q_proj.weight`, `model.norm.weight`, and the untied head `model.lm_head.weight`
/// (Hugging Face's `lm_head.weight`; see ``huggingFaceName(for:)``).
///
/// Parameter units, in forward order: `embed_tokens`, one per decoder layer, and `head` (`norm`, `lm_head`) — or,
/// with a tied head, a `root` unit (`embed_tokens`, `norm`) that encloses the layers (see ``units``). Forward calls
/// the hooks around each unit and marks the tape so backward can call them in reverse.
public final class Qwen3ForCausalLM: Module, ParameterTree {
    public let configuration: Qwen3Configuration
    public let embedTokens: Embedding
    public let layers: [Qwen3DecoderLayer]
    public let norm: RMSNorm
    /// The output head; `nil` when tied to ``embedTokens``.
    public let lmHead: Linear?
    let rotary: RotaryTable
    /// The random stream layers draw from while training (LoRA dropout); set by the trainer to its rank's stream.
    public var randomness: RandomSource?
    private var parameterIndex: [StateKey: Parameter] = [:]
    private var sortedParameterList: [Parameter] = []

    /// Creates a model with zero weights (norm scales at one); load or initialise weights next.
    public init(configuration c: Qwen3Configuration) {
        configuration = c
        embedTokens = Embedding(prefix: "model.embed_tokens", vocabularySize: c.vocabularySize, dimension: c.hiddenSize)
        layers = (0..<c.layerCount).map { Qwen3DecoderLayer(index: $0, configuration: c) }
        norm = RMSNorm(prefix: "model.norm", dimension: c.hiddenSize, epsilon: Float(c.rmsNormEpsilon))
        lmHead = c.tiesWordEmbeddings ? nil
            : Linear(prefix: "model.lm_head", inFeatures: c.hiddenSize, outFeatures: c.vocabularySize)
        rotary = RotaryTable(headDimension: c.headDimension, maxPositions: c.maxPositionEmbeddings, theta: c.ropeTheta)
        refreshParameters()
    }

    /// Re-collects the parameter list after the tree changed (an adapter was attached).
    func refreshParameters() {
        let all = ([embedTokens, norm] as [any Module] + layers + (lmHead.map { [$0] } ?? [])).flatMap(\.allParameters)
        sortedParameterList = all.sorted { $0.key < $1.key }
        parameterIndex = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
    }

    // MARK: - ParameterTree

    public var allParameters: [Parameter] { sortedParameterList }

    public var parameters: [any ModelParameter] { sortedParameterList }

    /// The units in forward order. With an untied head: `embed_tokens`, one per decoder layer, then `head` (final
    /// norm and `lm_head`) — so a sharding strategy holds the embedding only around the lookup and the head only
    /// around the logits, as torchtitan wraps them. With a tied head the embedding matrix is used first and last,
    /// so one `root` unit (`embed_tokens`, `norm`) encloses every layer.
    public var units: [ParameterUnit] {
        let layerUnits = layers.enumerated().map { index, layer in
            ParameterUnit(name: "layers.\(index)", parameterKeys: layer.allParameters.map(\.key))
        }
        guard let lmHead else {
            let root = ([embedTokens, norm] as [any Module]).flatMap(\.allParameters)
            return [ParameterUnit(name: "root", parameterKeys: root.map(\.key))] + layerUnits
        }
        return [ParameterUnit(name: "embed_tokens", parameterKeys: embedTokens.allParameters.map(\.key))] + layerUnits
            + [ParameterUnit(name: "head", parameterKeys: (norm.allParameters + lmHead.allParameters).map(\.key))]
    }

    /// The parameter with canonical `key`.
    public func parameter(forKey key: StateKey) -> Parameter? { parameterIndex[key] }

    // MARK: - Forward

    /// Computes logits `[B·T, vocabulary]` for `tokens` (`B·T` ids, row-major), calling `hooks` around each
    /// parameter unit and marking the recording tape (if any) at unit boundaries.
    ///
    /// > Important: with hooks that run collectives, every rank must call this with the same shapes.
    public func logits(
        tokens: [Int32], batchSize: Int, sequenceLength: Int, hooks: (any ParameterHooks)? = nil,
        step: StepContext = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
    ) async throws -> Tensor {
        precondition(tokens.count == batchSize * sequenceLength, "Qwen3ForCausalLM: \(tokens.count) tokens for \(batchSize)×\(sequenceLength)")
        let units = self.units
        let positions = (0..<sequenceLength).map { Int32($0) }
        // Tied: unit 0 (the root) stays open around everything; untied: the last unit is the head.
        let headIndex = lmHead == nil ? 0 : units.count - 1
        try await begin(units[0], hooks: hooks, step: step, index: 0)
        var hidden = embedTokens(tokens)
        if headIndex != 0 { try await end(units[0], hooks: hooks, step: step, index: 0) }
        for (index, layer) in layers.enumerated() {
            try await begin(units[index + 1], hooks: hooks, step: step, index: index + 1)
            hidden = layer(hidden, batchSize: batchSize, sequenceLength: sequenceLength, rotary: rotary, positions: positions)
            try await end(units[index + 1], hooks: hooks, step: step, index: index + 1)
        }
        if headIndex != 0 { try await begin(units[headIndex], hooks: hooks, step: step, index: headIndex) }
        let normalized = norm(hidden)
        let logits = lmHead.map { $0(normalized) } ?? linear(normalized, weight: embedTokens.weight.tensor)
        try await end(units[headIndex], hooks: hooks, step: step, index: headIndex)
        return logits
    }

    /// The training loss of one micro-batch: Σ per-token cross-entropy over targets ≠ -100, divided by
    /// `normalizer` (the loss-token count of the whole global batch, DESIGN.md §5).
    public func loss(
        tokens: [Int32], targets: [Int32], batchSize: Int, sequenceLength: Int, normalizer: Int,
        hooks: (any ParameterHooks)? = nil,
        step: StepContext = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
    ) async throws -> Tensor {
        let logits = try await logits(tokens: tokens, batchSize: batchSize, sequenceLength: sequenceLength,
                                      hooks: hooks, step: step)
        return crossEntropy(logits: logits, targets: targets, normalizer: Float(normalizer))
    }

    // MARK: - Private helpers

    private func begin(_ unit: ParameterUnit, hooks: (any ParameterHooks)?, step: StepContext, index: Int) async throws {
        try await hooks?.willUse(unit, phase: .forward, step: step)
        Tape.current?.mark(.unitBegin(index))
    }

    private func end(_ unit: ParameterUnit, hooks: (any ParameterHooks)?, step: StepContext, index: Int) async throws {
        Tape.current?.mark(.unitEnd(index))
        try await hooks?.didUse(unit, phase: .forward, step: step)
    }
}
