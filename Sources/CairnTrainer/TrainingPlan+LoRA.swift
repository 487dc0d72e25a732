import CairnConfig
import CairnCore
import CairnLoRA
import CairnNN

extension TrainingPlan {
    /// LoRA's options from `peft_config` and `adapter_name_or_path`, or `nil` for full fine-tuning.
    ///
    /// An adapter folder fixes the adapters' rank, alpha and targets, so they come from its `adapter_config.json`;
    /// `peft_config` may still set what does not change shapes (`lora_dropout`). Writing a shape key that
    /// disagrees with the adapter is an error that names both, rather than a shape mismatch later.
    /// - Throws: ``ConfigurationError`` for a method other than lora, a bad option, an unreadable adapter folder,
    ///   or a shape key that contradicts the adapter.
    static func loraConfiguration(_ configuration: TrainingConfiguration) throws -> LoRAConfiguration? {
        let adapter = try configuration.adapterNameOrPath.map { try PEFTAdapterConfig.read(folder: $0).configuration }
        guard let peft = configuration.peftConfig else { return adapter }
        guard peft.name == "lora" else {
            throw ConfigurationError(.unknownKind, keyPath: "peft_config.name",
                                     "PEFT method '\(peft.name)' is not supported; Cairn implements lora")
        }
        let written = try peft.decode(LoRAConfiguration.self)
        guard var merged = adapter, let path = configuration.adapterNameOrPath else { return written }
        let explicit = Set(peft.optionKeys)
        let conflicts: [(key: String, written: String, adapter: String)] = [
            ("r", "\(written.rank)", "\(merged.rank)"),
            ("lora_alpha", "\(written.alpha)", "\(merged.alpha)"),
            ("target_modules", "\(Self.targetNames(written))", "\(Self.targetNames(merged))"),
        ].filter { explicit.contains($0.key) && $0.written != $0.adapter }
        if let conflict = conflicts.first {
            throw peft.locate(ConfigurationError(
                .invalidValue, keyPath: "peft_config.\(conflict.key)",
                "is \(conflict.written) but the adapter at \(path) has \(conflict.adapter); remove the key (the adapter "
                    + "decides its shapes) or train a new adapter without adapter_name_or_path"))
        }
        if explicit.contains("lora_dropout") { merged.dropout = written.dropout }
        return merged
    }

    /// The module names `configuration` targets, with `all` / `all-linear` spelled out, sorted.
    private static func targetNames(_ configuration: LoRAConfiguration) -> [String] {
        let everything = configuration.targetModules.contains { $0 == "all" || $0 == "all-linear" }
        return (everything ? Qwen3ForCausalLM.linearModuleNames : configuration.targetModules).sorted()
    }
}
