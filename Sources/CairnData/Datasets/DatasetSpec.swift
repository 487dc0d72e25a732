/// A dataset spec: named datasets, each a file read by a converter, concatenated in the spec's order.
///
/// The YAML shape follows LlamaFactory's v1 `data/*.yaml`:
///
/// ```yaml
/// arithmetic:                 # the dataset's name, used in error messages
///   path: arithmetic.jsonl    # or LlamaFactory's file_name (+ optional dataset_dir)
///   converter: messages       # alpaca | sharegpt | messages
///   size: 400                 # optional (LlamaFactory: num_samples): the first N samples
/// ```
///
/// Relative paths resolve against the folder of the spec file (LlamaFactory resolves them against the working
/// directory; when a path only exists that way, the error says so). Files are JSONL (one object per line) or one
/// JSON array of objects.
public struct DatasetSpec: Hashable, Sendable {
    /// One resolved dataset of the spec.
    public struct Entry: Hashable, Sendable {
        /// The dataset's name (its key in the spec).
        public var name: String
        /// The data file, resolved against the spec's folder.
        public var path: String
        /// How records become conversations.
        public var converter: DatasetConverter
        /// How many leading samples to take, or `nil` for all.
        public var size: Int?
        /// The path as the spec wrote it, before resolution (for the hint when only that path exists).
        public var writtenPath: String?

        /// Creates an entry.
        public init(
            name: String, path: String, converter: DatasetConverter, size: Int? = nil, writtenPath: String? = nil
        ) {
            self.name = name
            self.path = path
            self.converter = converter
            self.size = size
            self.writtenPath = writtenPath
        }
    }

    /// The datasets in spec order.
    public var entries: [Entry]

    /// Creates a spec from resolved entries.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Creates a spec from decoded entry options in spec order, resolving paths against `baseDirectory`.
    /// - Throws: ``DataError`` `.invalidSpec` when there is no dataset or a name repeats.
    public init(_ options: [(name: String, options: EntryOptions)], baseDirectory: String) throws(DataError) {
        guard !options.isEmpty else { throw DataError(.invalidSpec, "the dataset spec names no dataset") }
        var seen = Set<String>()
        entries = []
        for (name, entryOptions) in options {
            guard seen.insert(name).inserted else {
                throw DataError(.invalidSpec, dataset: name, "the dataset name appears twice in the spec")
            }
            entries.append(
                Entry(
                    name: name, path: entryOptions.resolvedPath(baseDirectory: baseDirectory),
                    converter: entryOptions.converter, size: entryOptions.size,
                    writtenPath: entryOptions.datasetDirectory.map { EntryOptions.join($0, entryOptions.path) }
                        ?? entryOptions.path))
        }
    }
}

// MARK: - Entry options

extension DatasetSpec {
    /// One entry as written in the spec, before paths are resolved.
    ///
    /// Keys: `path` or `file_name` (with optional `dataset_dir`), `converter`, optional `size` or `num_samples`,
    /// optional `source` (only `local`). Any other key is an error (a strict decoder reports it with its position).
    public struct EntryOptions: Hashable, Sendable, Decodable {
        /// The data file, absolute or relative to the spec's folder.
        public var path: String
        /// The folder `file_name` is relative to (LlamaFactory's `dataset_dir`), or `nil`.
        public var datasetDirectory: String?
        /// How records become conversations.
        public var converter: DatasetConverter
        /// How many leading samples to take.
        public var size: Int?

        /// Creates options.
        public init(path: String, datasetDirectory: String? = nil, converter: DatasetConverter, size: Int? = nil) {
            self.path = path
            self.datasetDirectory = datasetDirectory
            self.converter = converter
            self.size = size
        }

        private enum CodingKeys: String, CodingKey {
            case path
            case fileName = "file_name"
            case datasetDirectory = "dataset_dir"
            case converter
            case size
            case numSamples = "num_samples"
            case source
        }

        /// Decodes and checks an entry.
        /// - Throws: `DecodingError` at the offending key (a positional decoder turns it into a
        ///   `ConfigurationError` with file:line:column).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let path = try container.decodeIfPresent(String.self, forKey: .path)
            let fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
            datasetDirectory = try container.decodeIfPresent(String.self, forKey: .datasetDirectory)
            switch (path, fileName) {
            case (let path?, nil):
                guard datasetDirectory == nil else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .datasetDirectory, in: container,
                        debugDescription: "dataset_dir goes with file_name; with path, write the whole path")
                }
                self.path = path
            case (nil, let fileName?):
                self.path = fileName
            case (.some, .some):
                throw DecodingError.dataCorruptedError(
                    forKey: .fileName, in: container, debugDescription: "give either path or file_name, not both")
            case (nil, nil):
                throw DecodingError.keyNotFound(
                    CodingKeys.path,
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "a dataset needs a path (or LlamaFactory's file_name)"))
            }
            converter = try container.decode(DatasetConverter.self, forKey: .converter)
            let size = try container.decodeIfPresent(Int.self, forKey: .size)
            let numSamples = try container.decodeIfPresent(Int.self, forKey: .numSamples)
            if size != nil, numSamples != nil {
                throw DecodingError.dataCorruptedError(
                    forKey: .numSamples, in: container, debugDescription: "give either size or num_samples, not both")
            }
            self.size = size ?? numSamples
            if let count = self.size, count < 1 {
                throw DecodingError.dataCorruptedError(
                    forKey: size != nil ? .size : .numSamples, in: container,
                    debugDescription: "must be at least 1, found \(count)")
            }
            if let source = try container.decodeIfPresent(String.self, forKey: .source), source != "local" {
                throw DecodingError.dataCorruptedError(
                    forKey: .source, in: container,
                    debugDescription: "Cairn reads local files only (source: local); download '\(source)' first")
            }
        }

        /// The data file's path resolved against the spec's folder.
        func resolvedPath(baseDirectory: String) -> String {
            let relative = datasetDirectory.map { Self.join($0, path) } ?? path
            return Self.join(baseDirectory, relative)
        }

        /// `path` when absolute, else `directory/path` (or `path` alone when `directory` is empty).
        static func join(_ directory: String, _ path: String) -> String {
            if path.hasPrefix("/") || directory.isEmpty { return path }
            return directory.hasSuffix("/") ? directory + path : directory + "/" + path
        }
    }
}

// MARK: - Files

extension DatasetSpec {
    /// The folder holding `specFile`, for resolving the spec's relative paths (`""` for a bare file name).
    public static func directory(of specFile: String) -> String {
        guard let slash = specFile.lastIndex(of: "/") else { return "" }
        return slash == specFile.startIndex ? "/" : String(specFile[..<slash])
    }
}
