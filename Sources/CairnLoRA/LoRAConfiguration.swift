public import CairnCore

/// The options of `peft_config: {name: lora, …}`, with LlamaFactory's and PEFT's names.
///
/// ```yaml
/// peft_config:
///   name: lora
///   r: 16                 # rank (default 8)
///   lora_alpha: 32        # scaling α; the update is (α / r)·B·A (default 2·r, as LlamaFactory)
///   lora_dropout: 0.05    # dropout on the adapter's input while training (default 0)
///   target_modules: all   # all | all-linear | a list such as [q_proj, v_proj] | "q_proj,v_proj" (default all)
/// ```
/// Options PEFT has but Cairn does not implement (`use_dora`, `use_rslora: true`, `bias` other than `none`,
/// `modules_to_save`) are refused rather than ignored.
public struct LoRAConfiguration: Decodable, Sendable, Hashable {
    /// The rank r.
    public var rank: Int
    /// α.
    public var alpha: Double
    /// The dropout probability, in [0, 1).
    public var dropout: Double
    /// The module names to adapt.
    public var targetModules: [String]

    /// Creates options.
    public init(rank: Int = 8, alpha: Double? = nil, dropout: Double = 0, targetModules: [String] = ["all"]) {
        self.rank = rank
        self.alpha = alpha ?? Double(2 * rank)
        self.dropout = dropout
        self.targetModules = targetModules
    }

    enum CodingKeys: String, CodingKey {
        case rank = "r"
        case alpha = "lora_alpha"
        case dropout = "lora_dropout"
        case targetModules = "target_modules"
        case bias
        case useRSLoRA = "use_rslora"
        case useDoRA = "use_dora"
        case modulesToSave = "modules_to_save"
        case taskType = "task_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func invalid(_ key: CodingKeys, _ message: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, keyPath: "peft_config.\(key.rawValue)", message)
        }
        rank = try container.decodeIfPresent(Int.self, forKey: .rank) ?? 8
        guard rank >= 1 else {
            throw ConfigurationError(.outOfRange, keyPath: "peft_config.r", "the rank must be ≥ 1, got \(rank)")
        }
        alpha = try container.decodeIfPresent(Double.self, forKey: .alpha) ?? Double(2 * rank)
        guard alpha > 0, alpha.isFinite else {
            throw ConfigurationError(.outOfRange, keyPath: "peft_config.lora_alpha", "lora_alpha must be > 0, got \(alpha)")
        }
        dropout = try container.decodeIfPresent(Double.self, forKey: .dropout) ?? 0
        guard (0..<1).contains(dropout) else {
            throw ConfigurationError(.outOfRange, keyPath: "peft_config.lora_dropout",
                                     "lora_dropout must be in [0, 1), got \(dropout)")
        }
        if let list = try? container.decodeIfPresent([String].self, forKey: .targetModules) {
            targetModules = list
        } else if let text = try container.decodeIfPresent(String.self, forKey: .targetModules) {
            targetModules = text.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        } else {
            targetModules = ["all"]
        }
        guard !targetModules.isEmpty else { throw invalid(.targetModules, "names no module") }
        if let bias = try container.decodeIfPresent(String.self, forKey: .bias), bias != "none" {
            throw invalid(.bias, "bias '\(bias)' is not supported; Cairn's adapters have no bias (use none)")
        }
        if try container.decodeIfPresent(Bool.self, forKey: .useRSLoRA) == true {
            throw invalid(.useRSLoRA, "rank-stabilized LoRA is not supported")
        }
        if try container.decodeIfPresent(Bool.self, forKey: .useDoRA) == true {
            throw invalid(.useDoRA, "DoRA is not supported")
        }
        if let modules = try container.decodeIfPresent([String].self, forKey: .modulesToSave), !modules.isEmpty {
            throw invalid(.modulesToSave, "training whole modules beside the adapters is not supported")
        }
        if let task = try container.decodeIfPresent(String.self, forKey: .taskType), task != "CAUSAL_LM" {
            throw invalid(.taskType, "task_type '\(task)' is not supported (CAUSAL_LM)")
        }
    }

    /// α / r.
    public var scaling: Double { alpha / Double(rank) }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
