public import CairnCore
import CairnNN
public import Foundation

/// `adapter_config.json` as Hugging Face PEFT writes and reads it, for a LoRA adapter.
public enum PEFTAdapterConfig {
    /// The file name.
    public static let fileName = "adapter_config.json"

    /// The JSON PEFT's `LoraConfig.save_pretrained` writes for `configuration` on the model at `baseModel`;
    /// `all` is written out as the list of adapted module names, which every PEFT version reads.
    public static func encode(_ configuration: LoRAConfiguration, baseModel: String) throws -> Data {
        let targets = configuration.targetModules.contains { $0 == "all" || $0 == "all-linear" }
            ? Qwen3ForCausalLM.linearModuleNames : configuration.targetModules
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": configuration.rank,
            "lora_alpha": configuration.alpha, "lora_dropout": configuration.dropout, "target_modules": targets,
            "base_model_name_or_path": baseModel, "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
            "init_lora_weights": true, "modules_to_save": NSNull(), "use_rslora": false, "use_dora": false,
            "layers_to_transform": NSNull(), "layers_pattern": NSNull(), "rank_pattern": [String: Any](),
            "alpha_pattern": [String: Any](), "revision": NSNull(),
        ]
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    /// Reads the LoRA options of an adapter folder's `adapter_config.json`.
    /// - Throws: ``ConfigurationError`` `.missingFile`, `.malformedInput`, `.invalidValue` (not LoRA, or an option
    ///   Cairn does not implement).
    public static func read(folder: String) throws -> (configuration: LoRAConfiguration, baseModel: String?) {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.missingFile, keyPath: "adapter_name_or_path", "\(path) does not exist")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(.malformedInput, keyPath: "adapter_name_or_path", "\(path) is not a JSON object")
        }
        guard (json["peft_type"] as? String)?.uppercased() == "LORA" else {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path",
                                     "\(path): peft_type \(json["peft_type"] ?? "none") is not LORA")
        }
        for flag in ["use_dora", "use_rslora", "fan_in_fan_out"] where (json[flag] as? Bool) == true {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "\(path): \(flag) is not supported")
        }
        if let bias = json["bias"] as? String, bias != "none" {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "\(path): bias \(bias) is not supported")
        }
        guard let rank = json["r"] as? Int else {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "\(path) has no integer r")
        }
        let targets: [String]
        if let list = json["target_modules"] as? [String] { targets = list } else if let text = json["target_modules"] as? String {
            targets = [text]
        } else {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "\(path) has no target_modules")
        }
        let configuration = LoRAConfiguration(
            rank: rank, alpha: (json["lora_alpha"] as? NSNumber)?.doubleValue ?? 8,
            dropout: (json["lora_dropout"] as? NSNumber)?.doubleValue ?? 0, targetModules: targets)
        return (configuration, json["base_model_name_or_path"] as? String)
    }
}
