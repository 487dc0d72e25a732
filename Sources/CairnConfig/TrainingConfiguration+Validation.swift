public import CairnCore

extension TrainingConfiguration {
    // MARK: - Public API

    /// Checks the rules that span several keys, and that the files the configuration names exist.
    ///
    /// - `global_batch_size` is a multiple of micro_batch_size × world_size;
    /// - `warmup_steps` and `warmup_ratio` are not both set;
    /// - `model` is a folder with `config.json`; `train_dataset` is a file; `tokenizer` (unless `byte`) is a file
    ///   or a folder with `tokenizer.json`; `adapter_name_or_path` is a folder. Relative paths resolve against
    ///   the current directory; when a path exists only relative to the configuration file's folder, the hint
    ///   says so.
    /// - Throws: ``ConfigurationError`` `.invalidValue` or `.missingFile`, at the offending value's position.
    public func validate() throws(ConfigurationError) {
        _ = try gradientAccumulationSteps(worldSize: worldSize)
        if warmupSteps != nil, warmupRatio != nil {
            throw error(
                .invalidValue, key: "warmup_ratio",
                "warmup_steps and warmup_ratio are both set\(at("warmup_steps")); set only one of them")
        }
        try checkModelFolder()
        try checkPath(trainDataset, key: "train_dataset", what: "dataset spec", accepts: [.file])
        if let tokenizer, tokenizer != Self.byteTokenizerName {
            let isFolder = FileSystem.kind(of: tokenizer) == .directory
            try checkPath(
                isFolder ? FileSystem.join(tokenizer, "tokenizer.json") : tokenizer, key: "tokenizer",
                what: "tokenizer file", accepts: [.file])
        }
        if let adapterNameOrPath {
            try checkPath(adapterNameOrPath, key: "adapter_name_or_path", what: "adapter folder", accepts: [.directory])
        }
    }

    /// The optimizer step's accumulation count at `worldSize`: global batch / (micro batch × world size).
    /// - Throws: ``ConfigurationError`` `.invalidValue` when the global batch is not a multiple of
    ///   micro_batch_size × `worldSize`.
    public func gradientAccumulationSteps(worldSize: Int) throws(ConfigurationError) -> Int {
        let unit = microBatchSize * max(worldSize, 1)
        let global = resolvedGlobalBatchSize(worldSize: worldSize)
        guard global % unit == 0 else {
            let lower = global / unit * unit
            let choices = lower == 0 ? "\(unit)" : "\(lower) or \(lower + unit)"
            throw error(
                .invalidValue, key: "global_batch_size",
                "\(global) is not a multiple of micro_batch_size × world_size = \(microBatchSize) × \(worldSize) "
                    + "= \(unit); use \(choices)")
        }
        return global / unit
    }

    /// Which tokenizer the run uses: see ``tokenizer``. Looks at the file system for the default.
    public func tokenizerSource() -> TokenizerSource {
        switch tokenizer {
        case Self.byteTokenizerName?:
            return .byteLevel
        case let path?:
            let isFolder = FileSystem.kind(of: path) == .directory
            return .huggingFace(path: isFolder ? FileSystem.join(path, "tokenizer.json") : path)
        case nil:
            let candidate = FileSystem.join(model, "tokenizer.json")
            return FileSystem.kind(of: candidate) == .file ? .huggingFace(path: candidate) : .byteLevel
        }
    }

    // MARK: - Files

    private func checkModelFolder() throws(ConfigurationError) {
        switch FileSystem.kind(of: model) {
        case .directory:
            let configFile = FileSystem.join(model, "config.json")
            guard FileSystem.kind(of: configFile) == .file else {
                throw error(
                    .missingFile, key: "model",
                    "the model folder '\(model)' has no config.json; point 'model' at a Hugging Face model folder")
            }
        case .missing:
            var message = "the model folder '\(model)' does not exist\(resolutionNote(model))"
            message += relativeToConfigurationHint(model, accepts: [.directory]) ?? ""
            if isHubIdentifier(model) {
                let folderName = model.split(separator: "/").last ?? ""
                message +=
                    "; Cairn loads a local Hugging Face folder, so download it first (for example "
                    + "`huggingface-cli download \(model) --local-dir models/\(folderName)`)"
            }
            throw error(.missingFile, key: "model", message)
        case .file, .other:
            throw error(
                .missingFile, key: "model", "'\(model)' is not a folder; 'model' names a Hugging Face model folder")
        }
    }

    private func checkPath(
        _ path: String, key: String, what: String, accepts: Set<FileSystem.EntryKind>
    ) throws(ConfigurationError) {
        let kind = FileSystem.kind(of: path)
        guard !accepts.contains(kind) else { return }
        var message =
            kind == .missing
            ? "the \(what) '\(path)' does not exist\(resolutionNote(path))"
            : "'\(path)' is not a \(accepts.contains(.directory) ? "folder" : "file")"
        if kind == .missing { message += relativeToConfigurationHint(path, accepts: accepts) ?? "" }
        throw error(.missingFile, key: key, message)
    }

    /// " (relative to /current/dir)" for a relative path.
    private func resolutionNote(_ path: String) -> String {
        path.hasPrefix("/")
            ? "" : " (relative paths resolve against the current directory, \(FileSystem.currentDirectory()))"
    }

    /// The hint for a relative path that exists next to the configuration file instead.
    private func relativeToConfigurationHint(_ path: String, accepts: Set<FileSystem.EntryKind>) -> String? {
        guard !path.hasPrefix("/"), let sourceFile else { return nil }
        let folder = FileSystem.directory(of: sourceFile)
        guard folder != "." else { return nil }
        let besideConfiguration = FileSystem.join(folder, path)
        guard accepts.contains(FileSystem.kind(of: besideConfiguration)) else { return nil }
        return "; it exists relative to the configuration file's folder as '\(besideConfiguration)': write that "
            + "path, or run from '\(folder)'"
    }

    private func isHubIdentifier(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") }
    }

    // MARK: - Errors

    private func error(_ code: ConfigurationError.Code, key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(code, keyPath: key, position: keyPositions[key], message)
    }

    /// " (warmup_steps is at a.yaml:3:15)" when the key's position is known.
    private func at(_ key: String) -> String {
        keyPositions[key].map { " (\(key) is at \($0))" } ?? ""
    }
}
