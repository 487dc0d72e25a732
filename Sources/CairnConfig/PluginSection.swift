public import CairnCore

/// A configuration section that selects an implementation by name and carries that implementation's options:
/// `dist_config: {name: fsdp2, world_size: 4, …}` or `peft_config: {name: lora, r: 16, …}`.
///
/// Cairn reads `name` (and, for `dist_config`, `world_size`); every other key belongs to the selected strategy
/// or PEFT method, whose `Configuration` is decoded later through ``decoder()`` or ``decode(_:)``. The section
/// keeps its node, so those errors still point at file:line:column.
public struct PluginSection: Sendable {
    /// The implementation's name (`single`, `ddp`, `fsdp2`, `lora`, …).
    public let name: String
    /// `world_size` for `dist_config` (default 1); `nil` for sections without one.
    public internal(set) var worldSize: Int?
    /// The whole section as written (an empty mapping when the section was absent or empty).
    public let node: YAMLNode
    /// The section's key, such as `dist_config`.
    public let keyPath: String
    /// The keys Cairn reads itself, never reported as unknown to the implementation.
    public let reservedKeys: Set<String>

    // MARK: - Initializers

    /// Creates a section in code: `options` are the implementation's keys.
    public init(
        name: String, worldSize: Int? = nil, options: [(key: String, value: YAMLNode)] = [], keyPath: String,
        position: InputPosition = InputPosition(file: "<code>", line: 1, column: 1)
    ) {
        func scalar(_ text: String) -> YAMLNode { YAMLNode(scalar: text, position: position) }
        var pairs = [(key: scalar("name"), value: scalar(name))]
        var reserved: Set<String> = ["name"]
        if let worldSize {
            pairs.append((key: scalar("world_size"), value: scalar("\(worldSize)")))
            reserved.insert("world_size")
        }
        pairs += options.map { (key: scalar($0.key), value: $0.value) }
        self.name = name
        self.worldSize = worldSize
        self.node = YAMLNode(.mapping(pairs), position: position)
        self.keyPath = keyPath
        self.reservedKeys = reserved
    }

    /// Reads a section from its node.
    /// - Parameters:
    ///   - defaultName: the name when the section has none; `nil` makes `name` required.
    ///   - hasWorldSize: whether the section carries `world_size` (`dist_config`).
    /// - Throws: ``ConfigurationError`` `.wrongType` (not a mapping), `.missingKey` (no `name`),
    ///   `.invalidValue` (empty name), `.outOfRange` (`world_size` < 1).
    init(
        node: YAMLNode, keyPath: String, defaultName: String?, hasWorldSize: Bool, userInfo: [CodingUserInfoKey: Any]
    ) throws(ConfigurationError) {
        let mapping: YAMLNode
        switch node.kind {
        case .mapping: mapping = node
        case .scalar where node.isNull: mapping = .emptyMapping(at: node.position)
        default:
            throw ScalarDecoding.wrongType(
                expected: "a mapping such as {name: \(defaultName ?? "lora")}", node: node, path: keyPath)
        }
        let namePath = KeyPathText.appending("name", to: keyPath)
        if let nameNode = mapping["name"], !nameNode.isNull {
            name = try ScalarDecoding.string(from: nameNode, path: namePath)
            guard !name.isEmpty else {
                throw ConfigurationError(
                    .invalidValue, keyPath: namePath, position: nameNode.position, "the name is empty")
            }
        } else if let defaultName {
            name = defaultName
        } else {
            throw ConfigurationError(
                .missingKey, keyPath: namePath, position: mapping.position,
                "missing required key 'name' (which implementation this section configures)")
        }
        var reserved: Set<String> = ["name"]
        if hasWorldSize {
            reserved.insert("world_size")
            let sizePath = KeyPathText.appending("world_size", to: keyPath)
            if let sizeNode = mapping["world_size"], !sizeNode.isNull {
                let size = try ScalarDecoding.integer(Int.self, from: sizeNode, path: sizePath)
                guard size >= 1 else {
                    throw ConfigurationError(
                        .outOfRange, keyPath: sizePath, position: sizeNode.position, "must be ≥ 1, got \(size)")
                }
                worldSize = size
            } else {
                worldSize = 1
            }
        } else {
            worldSize = nil
        }
        self.node = mapping
        self.keyPath = keyPath
        self.reservedKeys = reserved
    }

    // MARK: - Public API

    /// The implementation's own keys, in document order.
    public var optionKeys: [String] {
        (node.mappingPairs ?? []).compactMap(\.key.scalarText).filter { !reservedKeys.contains($0) }
    }

    /// A decoder over the section for an implementation's `Configuration`, such as a ``StrategyRegistry`` factory.
    ///
    /// It never reports ``reservedKeys``. Because nothing runs after the factory's `init(from:)` returns, this
    /// decoder checks the section's own keys when the keyed container is created: a key the `Configuration`'s
    /// `CodingKeys` cannot represent is `.unknownKey` (with a "did you mean" found among nearby spellings the
    /// `CodingKeys` accept). Nested values are checked fully. Prefer ``decode(_:userInfo:)`` when the type is
    /// known, or ``decode(userInfo:with:)`` around a factory: they also catch keys of a `Configuration` that never
    /// creates a keyed container, and keys that are `CodingKeys` cases but were never read.
    public func decoder(userInfo: [CodingUserInfoKey: any Sendable] = [:]) -> any Decoder {
        YAMLNodeDecoder(
            node: node, codingPath: codingPath, path: keyPath, userInfo: userInfo.mapValues { $0 as Any },
            reservedKeys: reservedKeys, checksKeysEagerly: true)
    }

    /// Decodes `type` from the section with the full unknown-key check.
    /// - Throws: ``ConfigurationError`` as ``YAMLDecoder/decode(_:from:)``, positioned in the user's file.
    public func decode<T: Decodable>(
        _ type: T.Type, userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) throws(ConfigurationError) -> T {
        try YAMLNodeDecoder.decode(
            type, node: node, codingPath: codingPath, path: keyPath, userInfo: userInfo.mapValues { $0 as Any },
            reservedKeys: reservedKeys)
    }

    /// Runs `body` with a decoder over the section, then checks that every key was read: the way to hand the
    /// section to a factory that decodes the `Configuration` itself, with the full unknown-key check.
    ///
    /// ```swift
    /// let strategy = try configuration.distConfig.decode { decoder in
    ///     try registry.makeStrategy(StrategyKind(configuration.distConfig.name), from: decoder)
    /// }
    /// ```
    /// - Throws: ``ConfigurationError``: what `body` threw, positioned in the section (a ``RegistryError``
    ///   `.unknownKind` becomes `.unknownKind` at `name`), else `.unknownKey` for a key nobody read.
    public func decode<Result>(
        userInfo: [CodingUserInfoKey: any Sendable] = [:], with body: (any Decoder) throws -> Result
    ) throws(ConfigurationError) -> Result {
        let decoder = YAMLNodeDecoder(
            node: node, codingPath: codingPath, path: keyPath, userInfo: userInfo.mapValues { $0 as Any },
            reservedKeys: reservedKeys)
        let result: Result
        do {
            result = try body(decoder)
        } catch let registry as RegistryError where registry.code == .unknownKind {
            let nameNode = node["name"] ?? node
            throw ConfigurationError(
                .unknownKind, keyPath: KeyPathText.appending("name", to: keyPath), position: nameNode.position,
                "'\(registry.kind)': \(registry.message)")
        } catch {
            throw decoder.locate(error)
        }
        try decoder.checkUnusedKeys(hints: nil)
        return result
    }

    /// `error` as a ``ConfigurationError`` positioned in this section, for errors thrown after decoding (by a
    /// strategy's `init(configuration:)`, say). A key path relative to the section (`stage`) or in full
    /// (`dist_config.stage`) is resolved to its value's position; `DecodingError`s are translated.
    public func locate(_ error: any Error) -> ConfigurationError {
        YAMLNodeDecoder(node: node, codingPath: codingPath, path: keyPath, userInfo: [:]).locate(error)
    }

    private var codingPath: [any CodingKey] {
        keyPath.isEmpty ? [] : keyPath.split(separator: ".").map { NameKey(String($0)) }
    }
}
