public import CairnCore

extension Qwen3ForCausalLM {
    /// The Hugging Face checkpoint name of the parameter with canonical `key`: the same text, except that the
    /// untied head `model.lm_head.weight` is `lm_head.weight`.
    public static func huggingFaceName(for key: StateKey) -> String {
        key.rawValue == "model.lm_head.weight" ? "lm_head.weight" : key.rawValue
    }

    /// The canonical key of a Hugging Face checkpoint name (the inverse of ``huggingFaceName(for:)``).
    public static func canonicalKey(forHuggingFaceName name: String) -> StateKey {
        name == "lm_head.weight" ? "model.lm_head.weight" : StateKey(name)
    }
}
