import CairnCore

extension TrainingConfiguration: Decodable {
    /// The YAML keys, snake_case as LlamaFactory v1 spells them.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case model
        case modelClass = "model_class"
        case tokenizer
        case template
        case adapterNameOrPath = "adapter_name_or_path"
        case trainDataset = "train_dataset"
        case cutoffLen = "cutoff_len"
        case outputDir = "output_dir"
        case seed
        case loggingSteps = "logging_steps"
        case microBatchSize = "micro_batch_size"
        case globalBatchSize = "global_batch_size"
        case numTrainEpochs = "num_train_epochs"
        case maxSteps = "max_steps"
        case optim
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case adamBeta1 = "adam_beta1"
        case adamBeta2 = "adam_beta2"
        case adamEpsilon = "adam_epsilon"
        case momentum
        case maxGradNorm = "max_grad_norm"
        case lrSchedulerType = "lr_scheduler_type"
        case warmupSteps = "warmup_steps"
        case warmupRatio = "warmup_ratio"
        case minLrRatio = "min_lr_ratio"
        case saveSteps = "save_steps"
        case saveEpochs = "save_epochs"
        case saveOnEpochEnd = "save_on_epoch_end"
        case saveTotalLimit = "save_total_limit"
        case saveKeepEvery = "save_keep_every"
        case saveAsync = "save_async"
        case resumeFromCheckpoint = "resume_from_checkpoint"
        case ddpTimeout = "ddp_timeout"
        case distConfig = "dist_config"
        case peftConfig = "peft_config"
    }

    /// Decodes and range-checks every key; cross-field rules wait for ``validate()``.
    /// - Throws: ``ConfigurationError`` `.missingKey`, `.wrongType`, `.outOfRange`, `.invalidValue`, and (from
    ///   ``YAMLDecoder``, after this returns) `.unknownKey`.
    public init(from decoder: any Decoder) throws {
        var reader = FieldReader(try decoder.container(keyedBy: CodingKeys.self))
        model = try reader.required(.model, .nonEmpty)
        modelClass = try reader.value(.modelClass, default: "llm", .oneOf(Self.supportedModelClasses))
        tokenizer = try reader.optional(.tokenizer, .nonEmpty)
        template = try reader.value(.template, default: "qwen3_nothink", .oneOf(Self.supportedTemplates))
        adapterNameOrPath = try reader.optional(.adapterNameOrPath, .nonEmpty)

        trainDataset = try reader.required(.trainDataset, .nonEmpty)
        cutoffLen = try reader.value(.cutoffLen, default: 1024, .atLeast(1))

        outputDir = try reader.required(.outputDir, .nonEmpty)
        seed = try reader.value(.seed, default: 42, .atLeast(0))
        loggingSteps = try reader.value(.loggingSteps, default: 10, .atLeast(1))

        microBatchSize = try reader.value(.microBatchSize, default: 1, .atLeast(1))
        globalBatchSize = try reader.optional(.globalBatchSize, .atLeast(1))
        numTrainEpochs = try reader.value(.numTrainEpochs, default: 3.0, .greaterThan(0))
        maxSteps = try reader.optional(.maxSteps, .atLeast(1))

        optim = try reader.value(.optim, default: .adamw)
        learningRate = try reader.value(.learningRate, default: 1e-4, .greaterThan(0))
        weightDecay = try reader.value(.weightDecay, default: 0.0, .atLeast(0))
        adamBeta1 = try reader.value(.adamBeta1, default: 0.9, .within(0.0..<1.0))
        adamBeta2 = try reader.value(.adamBeta2, default: 0.999, .within(0.0..<1.0))
        adamEpsilon = try reader.value(.adamEpsilon, default: 1e-8, .greaterThan(0))
        momentum = try reader.value(.momentum, default: 0.0, .atLeast(0))
        maxGradNorm = try reader.value(.maxGradNorm, default: 1.0, .atLeast(0))

        lrSchedulerType = try reader.value(.lrSchedulerType, default: .cosine)
        warmupSteps = try reader.optional(.warmupSteps, .atLeast(0))
        warmupRatio = try reader.optional(.warmupRatio, .within(0.0...1.0))
        minLrRatio = try reader.value(.minLrRatio, default: 0.0, .within(0.0...1.0))

        saveSteps = try reader.optional(.saveSteps, .atLeast(1))
        saveEpochs = try reader.optional(.saveEpochs, .greaterThan(0))
        saveOnEpochEnd = try reader.value(.saveOnEpochEnd, default: false)
        saveTotalLimit = try reader.optional(
            .saveTotalLimit,
            Requirement(code: .outOfRange) {
                $0 >= 1 ? nil : "must be ≥ 1, got \($0) (it is how many checkpoints to keep; omit it to keep all)"
            })
        saveKeepEvery = try reader.optional(.saveKeepEvery, .atLeast(1))
        saveAsync = try reader.value(.saveAsync, default: false)
        resumeFromCheckpoint = try reader.optional(.resumeFromCheckpoint, .nonEmpty)
        ddpTimeout = try reader.value(.ddpTimeout, default: 1800, .atLeast(1))

        let yaml = decoder as? YAMLNodeDecoder
        let rootPosition = yaml?.node.position ?? InputPosition(file: "<code>", line: 1, column: 1)
        let userInfo = yaml?.userInfo ?? [:]
        let dist = try reader.optional(.distConfig) as CapturedNode?
        distConfig = try PluginSection(
            node: dist?.node ?? .emptyMapping(at: rootPosition), keyPath: CodingKeys.distConfig.rawValue,
            defaultName: "single", hasWorldSize: true, userInfo: userInfo)
        peftConfig = try (reader.optional(.peftConfig) as CapturedNode?).map { (peft) throws(ConfigurationError) in
            try PluginSection(
                node: peft.node, keyPath: CodingKeys.peftConfig.rawValue, defaultName: nil, hasWorldSize: false,
                userInfo: userInfo)
        }

        var positions = reader.positions
        for section in [distConfig, peftConfig].compactMap({ $0 }) where section.node.position.file != "<code>" {
            positions[section.keyPath] = section.node.position
            for (key, value) in section.node.mappingPairs ?? [] {
                guard let name = key.scalarText else { continue }
                positions[KeyPathText.appending(name, to: section.keyPath)] = value.position
            }
        }
        keyPositions = positions
        let file = rootPosition.file
        sourceFile = yaml == nil || file == ConfigurationOverride.commandLineFile ? nil : file
    }
}

extension TrainingConfiguration: ConfigurationKeyHints {
    /// Explains LlamaFactory keys Cairn does not implement, and LlamaFactory v0 names that Cairn spells differently.
    public static func hint(forUnknownKey key: String) -> String? {
        if let reason = unsupportedKeys[key] { return "Cairn does not support \(reason); remove the key" }
        if let replacement = renamedKeys[key] { return "this is LlamaFactory v0's name; \(replacement)" }
        return nil
    }

    private static let unsupportedKeys: [String: String] = [
        "bf16": "bf16 (it trains in float32 on the CPU)",
        "fp16": "fp16 (it trains in float32 on the CPU)",
        "kernel_config": "kernel_config (its CPU kernels are built in)",
        "quant_config": "quant_config (quantized training)",
        "init_config": "init_config (the model is loaded from `model`)",
        "sample_backend": "sample_backend (it trains; it does not sample or serve)",
        "max_new_tokens": "max_new_tokens (it trains; it does not generate)",
        "trust_remote_code": "trust_remote_code (it runs no code from a model repository)",
        "flash_attn": "flash_attn (it has one attention kernel)",
    ]

    private static let renamedKeys: [String: String] = [
        "model_name_or_path": "Cairn reads 'model'",
        "dataset": "Cairn reads 'train_dataset' (a dataset spec YAML)",
        "per_device_train_batch_size": "Cairn reads 'micro_batch_size'",
        "gradient_accumulation_steps":
            "Cairn derives accumulation from global_batch_size / (micro_batch_size × world_size); "
            + "set 'global_batch_size'",
        "finetuning_type": "Cairn selects LoRA with 'peft_config: {name: lora}' and trains all weights otherwise",
        "lora_rank": "Cairn reads 'peft_config.r'",
        "lora_target": "Cairn reads 'peft_config.target_modules'",
        "deepspeed": "Cairn selects ZeRO with 'dist_config: {name: zero, stage: 2}'",
    ]
}

/// A node captured whole for a later decode (a plugin section); only ``YAMLDecoder`` can provide one.
struct CapturedNode: Decodable {
    let node: YAMLNode

    init(from decoder: any Decoder) throws {
        guard let yaml = decoder as? YAMLNodeDecoder else {
            throw ConfigurationError(
                .invalidValue, keyPath: KeyPathText.render(decoder.codingPath),
                "plugin sections (dist_config, peft_config) can only be decoded by YAMLDecoder")
        }
        // Asking for a single-value container tells the decoder the keys are checked elsewhere.
        _ = try yaml.singleValueContainer()
        node = yaml.node
    }
}
