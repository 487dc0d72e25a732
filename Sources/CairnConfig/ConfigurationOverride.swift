public import CairnCore

/// A `key=value` argument from the command line that replaces or adds one value of a configuration.
///
/// The key is a dotted path (`dist_config.world_size`); missing intermediate mappings are created. The value is
/// parsed as a YAML flow value: `200`, `1e-4`, `[q_proj, v_proj]`, `{name: lora, r: 8}`, `'text: with colon'`;
/// an empty value is null. Positions name the argument: arguments are joined with single spaces and a node's
/// position is `<command line>:1:<column in that text>`, so an error in the second argument points there.
public struct ConfigurationOverride: Sendable {
    /// The `file` of every position inside an override.
    public static let commandLineFile = "<command line>"

    /// The argument as given.
    public let argument: String
    /// The key path's components (`["dist_config", "world_size"]`).
    public let keyPath: [String]
    /// The position of each key path component.
    public let keyPositions: [InputPosition]
    /// The parsed value.
    public let value: YAMLNode

    // MARK: - Parsing

    /// Parses command-line `key=value` arguments.
    /// - Throws: ``ConfigurationError`` `.malformedInput` for an argument without `=`, an empty key or key
    ///   component, a key with spaces or indices, or a value that is not a well-formed YAML flow value.
    public static func parse(_ arguments: [String]) throws(ConfigurationError) -> [ConfigurationOverride] {
        var overrides: [ConfigurationOverride] = []
        var column = 1
        for argument in arguments {
            overrides.append(try ConfigurationOverride(argument: argument, column: column))
            column += argument.unicodeScalars.count + 1
        }
        return overrides
    }

    /// Parses one argument that starts at `column` of the joined command line.
    private init(argument: String, column: Int) throws(ConfigurationError) {
        let start = InputPosition(file: Self.commandLineFile, line: 1, column: column)
        guard let equals = argument.firstIndex(of: "=") else {
            throw ConfigurationError(
                .malformedInput, position: start,
                "override '\(argument)' has no '='; write key=value, for example max_steps=200")
        }
        let key = String(argument[..<equals])
        let valueText = String(argument[argument.index(after: equals)...])
        let valueColumn = column + key.unicodeScalars.count + 1
        guard !key.isEmpty else {
            throw ConfigurationError(.malformedInput, position: start, "override '\(argument)' has an empty key")
        }
        if let bad = key.unicodeScalars.first(where: { $0 == " " || $0 == "\t" || $0 == "[" || $0 == "]" }) {
            let what = bad == "[" || bad == "]" ? "list indices" : "spaces"
            throw ConfigurationError(
                .malformedInput, keyPath: key, position: start,
                "override key '\(key)' contains \(what); write a dotted key such as dist_config.world_size "
                    + "and give a whole list as the value: key=[a, b]")
        }
        var components: [String] = []
        var positions: [InputPosition] = []
        var componentColumn = column
        for component in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard !component.isEmpty else {
                throw ConfigurationError(
                    .malformedInput, keyPath: key, position: start,
                    "override key '\(key)' has an empty component (two dots, or a dot at either end)")
            }
            components.append(String(component))
            positions.append(InputPosition(file: Self.commandLineFile, line: 1, column: componentColumn))
            componentColumn += component.unicodeScalars.count + 1
        }
        let options = YAMLParser.Options(
            columnOffset: valueColumn - 1, requiresFlowCollections: true, emptyDocumentIsNull: true)
        do {
            value = try YAMLParser.parse(bytes: Array(valueText.utf8), file: Self.commandLineFile, options: options)
        } catch {
            var located = error
            located.keyPath = key
            located.message = "override '\(key)': \(error.message)"
            throw located
        }
        self.argument = argument
        keyPath = components
        keyPositions = positions
    }
}

extension YAMLNode {
    /// This tree with `overrides` applied in order (a later override of the same key wins).
    ///
    /// Only the nodes along each overridden path are rebuilt, so values shared through aliases elsewhere are
    /// untouched. A null value on the path becomes a mapping.
    /// - Throws: ``ConfigurationError`` `.malformedInput` when a path runs through a value that is not a mapping.
    public func applying(_ overrides: [ConfigurationOverride]) throws(ConfigurationError) -> YAMLNode {
        var root = self
        for override in overrides {
            root = try root.setting(override.value, along: override.keyPath[...], override: override)
        }
        return root
    }

    private func setting(
        _ value: YAMLNode, along path: ArraySlice<String>, override: ConfigurationOverride
    ) throws(ConfigurationError) -> YAMLNode {
        guard let name = path.first else { return value }
        let depth = path.startIndex - override.keyPath.startIndex
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        switch kind {
        case .mapping(let existing):
            pairs = existing
        case .scalar where isNull:
            pairs = []
        default:
            let parent = override.keyPath[..<path.startIndex].joined(separator: ".")
            throw ConfigurationError(
                .malformedInput, keyPath: override.keyPath.joined(separator: "."),
                position: override.keyPositions[depth],
                "cannot set '\(override.keyPath.joined(separator: "."))': '\(parent)' is \(summary) at \(position), "
                    + "not a mapping")
        }
        let rest = path.dropFirst()
        if let index = pairs.firstIndex(where: { $0.key.scalarText == name }) {
            let replaced = try pairs[index].value.setting(value, along: rest, override: override)
            pairs[index] = (key: pairs[index].key, value: replaced)
        } else {
            let keyPosition = override.keyPositions[depth]
            let start = rest.isEmpty ? value : YAMLNode.emptyMapping(at: keyPosition)
            let added = try start.setting(value, along: rest, override: override)
            pairs.append((key: YAMLNode(scalar: name, position: keyPosition), value: added))
        }
        return YAMLNode(.mapping(pairs), position: position)
    }
}
