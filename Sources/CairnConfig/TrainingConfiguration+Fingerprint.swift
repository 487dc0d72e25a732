extension TrainingConfiguration {
    // MARK: - Public API

    /// Every decoded value as `(key, canonical text)`, sorted by key: the configuration's normalized form.
    ///
    /// Defaults are filled in (`seed` is there even when the file omits it), `global_batch_size` is resolved,
    /// numbers are normalized (`1e-4` and `0.0001` agree), and plugin sections contribute `dist_config.name`,
    /// `dist_config.world_size` and one entry per option (`peft_config.r`, in canonical flow form); without a
    /// `peft_config` there are no `peft_config.*` entries.
    /// ``sourceFile`` and ``keyPositions`` (where values were written) are not part of it.
    public var normalizedEntries: [(key: String, value: String)] {
        typealias Text = CanonicalText
        var entries: [(key: String, value: String)] = [
            ("model", Text.string(model)),
            ("model_class", Text.string(modelClass)),
            ("tokenizer", Text.optional(tokenizer, Text.string)),
            ("template", Text.string(template)),
            ("adapter_name_or_path", Text.optional(adapterNameOrPath, Text.string)),
            ("train_dataset", Text.string(trainDataset)),
            ("cutoff_len", "\(cutoffLen)"),
            ("output_dir", Text.string(outputDir)),
            ("seed", "\(seed)"),
            ("logging_steps", "\(loggingSteps)"),
            ("micro_batch_size", "\(microBatchSize)"),
            ("global_batch_size", "\(resolvedGlobalBatchSize())"),
            ("num_train_epochs", Text.number(numTrainEpochs)),
            ("max_steps", Text.optional(maxSteps) { "\($0)" }),
            ("optim", Text.string(optim.rawValue)),
            ("learning_rate", Text.number(learningRate)),
            ("weight_decay", Text.number(weightDecay)),
            ("adam_beta1", Text.number(adamBeta1)),
            ("adam_beta2", Text.number(adamBeta2)),
            ("adam_epsilon", Text.number(adamEpsilon)),
            ("momentum", Text.number(momentum)),
            ("max_grad_norm", Text.number(maxGradNorm)),
            ("lr_scheduler_type", Text.string(lrSchedulerType.rawValue)),
            ("warmup_steps", Text.optional(warmupSteps) { "\($0)" }),
            ("warmup_ratio", Text.optional(warmupRatio, Text.number)),
            ("min_lr_ratio", Text.number(minLrRatio)),
            ("save_steps", Text.optional(saveSteps) { "\($0)" }),
            ("save_epochs", Text.optional(saveEpochs, Text.number)),
            ("save_on_epoch_end", "\(saveOnEpochEnd)"),
            ("save_total_limit", Text.optional(saveTotalLimit) { "\($0)" }),
            ("save_keep_every", Text.optional(saveKeepEvery) { "\($0)" }),
            ("save_async", "\(saveAsync)"),
            ("resume_from_checkpoint", Text.optional(resumeFromCheckpoint, Text.string)),
            ("ddp_timeout", "\(ddpTimeout)"),
        ]
        entries += Self.entries(of: distConfig)
        if let peftConfig { entries += Self.entries(of: peftConfig) }
        return entries.sorted { $0.key < $1.key }
    }

    /// The normalized form as text, one `key: value` line per entry.
    public var normalizedText: String {
        normalizedEntries.map { "\($0.key): \($0.value)\n" }.joined()
    }

    /// A 64-bit FNV-1a hash of ``normalizedText``: equal in every process and on every machine for equal
    /// configurations, so a checkpoint can record which configuration wrote it.
    public var hash: UInt64 {
        CanonicalText.fnv1a64(normalizedText)
    }

    /// ``hash`` as 16 lowercase hexadecimal digits.
    public var hashHex: String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The values that differ from `previous`, sorted by key (`learning_rate changed 0.0001 → 0.0002`).
    public func changes(from previous: TrainingConfiguration) -> [ConfigurationChange] {
        let old = Dictionary(previous.normalizedEntries.map { ($0.key, $0.value) }) { first, _ in first }
        let new = Dictionary(normalizedEntries.map { ($0.key, $0.value) }) { first, _ in first }
        return Set(old.keys).union(new.keys).sorted().compactMap { key in
            old[key] == new[key] ? nil : ConfigurationChange(key: key, oldValue: old[key], newValue: new[key])
        }
    }

    // MARK: - Helpers

    private static func entries(of section: PluginSection) -> [(key: String, value: String)] {
        var entries = [(key: "\(section.keyPath).name", value: CanonicalText.string(section.name))]
        if let worldSize = section.worldSize {
            entries.append(("\(section.keyPath).world_size", "\(worldSize)"))
        }
        for (key, value) in section.node.mappingPairs ?? [] {
            guard let name = key.scalarText, !section.reservedKeys.contains(name) else { continue }
            entries.append(("\(section.keyPath).\(name)", CanonicalText.node(value)))
        }
        return entries
    }
}
