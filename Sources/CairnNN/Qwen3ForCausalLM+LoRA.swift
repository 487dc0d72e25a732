public import CairnCore

extension Qwen3ForCausalLM {
    /// The names of the linear layers LoRA can target, as PEFT and LlamaFactory spell them.
    public static let linearModuleNames = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    /// Every decoder linear layer, by its full name (`model.layers.0.self_attn.q_proj`), in forward order.
    public var decoderLinears: [(name: String, layer: Linear)] {
        layers.flatMap { layer in
            [layer.attention.queryProjection, layer.attention.keyProjection, layer.attention.valueProjection,
             layer.attention.outputProjection, layer.mlp.gateProjection, layer.mlp.upProjection,
             layer.mlp.downProjection].map { (name: $0.prefix.rawValue, layer: $0) }
        }
    }

    /// Attaches LoRA adapters to the decoder linear layers `targets` selects, freezes every other parameter, and
    /// returns the adapters in forward order.
    ///
    /// A target matches a layer whose full name equals it or ends with `.<target>` (PEFT's rule), so `q_proj`
    /// selects every layer's query projection; `all` / `all-linear` select every decoder linear layer (the output
    /// head is never adapted, as in PEFT's `all-linear`).
    /// - Throws: ``ConfigurationError`` `.invalidValue` at `peft_config.target_modules` when a target matches nothing.
    @discardableResult
    public func attachLoRA(
        targets: [String], rank: Int, alpha: Double, dropout: Double, seed: UInt64, randomness: RandomSource?
    ) throws -> [LowRankAdapter] {
        let everything = targets.contains { $0 == "all" || $0 == "all-linear" }
        var matched: Set<String> = []
        var adapters: [LowRankAdapter] = []
        for (name, linear) in decoderLinears {
            let hits = targets.filter { name == $0 || name.hasSuffix("." + $0) }
            guard everything || !hits.isEmpty else { continue }
            matched.formUnion(hits)
            let adapter = linear.attachAdapter(rank: rank, alpha: alpha, dropout: dropout)
            adapter.initialize(seed: seed)
            adapter.randomness = randomness
            adapters.append(adapter)
        }
        if !everything, let unmatched = targets.first(where: { !matched.contains($0) }) {
            throw ConfigurationError(
                .invalidValue, keyPath: "peft_config.target_modules",
                "'\(unmatched)' matches no linear layer; Qwen3 has \(Self.linearModuleNames.joined(separator: ", ")) (or all)")
        }
        let adapterKeys = Set(adapters.flatMap(\.allParameters).map(\.key))
        refreshParameters()
        for parameter in allParameters { parameter.isTrainable = adapterKeys.contains(parameter.key) }
        return adapters
    }

    /// The PEFT checkpoint name of an adapter parameter (`base_model.model.<key>`, e.g.
    /// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`).
    public static func peftName(for key: StateKey) -> String {
        "base_model.model." + key.rawValue
    }

    /// The canonical key of a PEFT adapter tensor name (the inverse of ``peftName(for:)``), or `nil` for a name
    /// that is not a LoRA A/B weight.
    public static func canonicalKey(forPEFTName name: String) -> StateKey? {
        guard name.hasPrefix("base_model.model."), name.hasSuffix(".lora_A.weight") || name.hasSuffix(".lora_B.weight")
        else { return nil }
        return StateKey(String(name.dropFirst("base_model.model.".count)))
    }
}
