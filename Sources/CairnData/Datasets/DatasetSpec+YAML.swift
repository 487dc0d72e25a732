public import CairnConfig
public import CairnCore

extension DatasetSpec {
    /// Loads a dataset spec YAML file; relative data paths resolve against the file's folder.
    /// - Throws: ``ConfigurationError`` with file:line:column: `.missingFile`, `.malformedInput`, `.wrongType`
    ///   (the document is not a mapping of names to entries), `.unknownKey`, `.missingKey`, `.invalidValue`.
    public static func load(contentsOfFile path: String) throws(ConfigurationError) -> DatasetSpec {
        try DatasetSpec(yaml: YAMLParser.parse(contentsOfFile: path), baseDirectory: directory(of: path))
    }

    /// Creates a spec from a parsed YAML document: a mapping from dataset names to entries, in document order.
    /// - Throws: ``ConfigurationError`` positioned at the offending node; key paths start with the dataset name.
    public init(yaml document: YAMLNode, baseDirectory: String) throws(ConfigurationError) {
        guard let pairs = document.mappingPairs else {
            throw ConfigurationError(
                .wrongType, position: document.position,
                "a dataset spec maps dataset names to entries (path, converter, size), found \(document.summary)")
        }
        guard !pairs.isEmpty else {
            throw ConfigurationError(.invalidValue, position: document.position, "the dataset spec names no dataset")
        }
        var options: [(name: String, options: EntryOptions)] = []
        for (key, value) in pairs {
            guard let name = key.scalarText else {
                throw ConfigurationError(.wrongType, position: key.position, "a dataset name must be a scalar")
            }
            do {
                options.append((name, try YAMLDecoder().decode(EntryOptions.self, from: value)))
            } catch {
                var located = error
                located.keyPath = [name, error.keyPath].compactMap { $0 }.filter { !$0.isEmpty }
                    .joined(separator: ".")
                throw located
            }
        }
        do {
            try self.init(options, baseDirectory: baseDirectory)
        } catch {
            throw ConfigurationError(.invalidValue, position: document.position, error.message, cause: error)
        }
    }
}
