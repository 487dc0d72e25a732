import CairnCore

/// The `Decoder` over one ``YAMLNode``: hands out containers, then reports the mapping keys the decoded type
/// never asked about.
///
/// Every value goes through ``decode(_:node:codingPath:path:userInfo:reservedKeys:)``, which runs the type's
/// `init(from:)`, turns whatever it throws into a positioned ``ConfigurationError`` and checks for unknown keys.
final class YAMLNodeDecoder: Decoder {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    /// The dotted form of `codingPath`, as errors show it.
    let path: String
    let userInfo: [CodingUserInfoKey: Any]
    /// Keys that count as asked before decoding starts (a plugin section's `name` and `world_size`).
    let reservedKeys: Set<String>
    /// Whether a keyed container refuses, when created, keys its `Key` type cannot represent. Used where no
    /// caller can check after decoding (a plugin section's decoder handed to a strategy registry).
    let checksKeysEagerly: Bool

    /// Whether the type asked for a keyed container, and whether it asked for any other kind.
    private(set) var usedKeyedContainer = false
    private(set) var usedOtherContainer = false
    /// Keys the type asked about, in first-asked order, and their set.
    private(set) var askedKeys: [String] = []
    private var askedKeySet: Set<String> = []
    /// Keys the type's `CodingKeys` list (when `CaseIterable`): more candidates for "did you mean".
    private var listedKeys: [String] = []
    /// Decoders behind nested containers, checked for unknown keys with this one.
    private var nestedDecoders: [YAMLNodeDecoder] = []

    // MARK: - Initializers

    init(
        node: YAMLNode, codingPath: [any CodingKey], path: String, userInfo: [CodingUserInfoKey: Any],
        reservedKeys: Set<String> = [], checksKeysEagerly: Bool = false
    ) {
        self.node = node
        self.codingPath = codingPath
        self.path = path
        self.userInfo = userInfo
        self.reservedKeys = reservedKeys
        self.checksKeysEagerly = checksKeysEagerly
    }

    // MARK: - Decoding a value

    /// Decodes `type` from `node`: primitives directly, anything else through its `init(from:)` followed by the
    /// unknown-key check.
    /// - Throws: ``ConfigurationError`` with the position and key path of the offending node.
    static func decode<T: Decodable>(
        _ type: T.Type, node: YAMLNode, codingPath: [any CodingKey], path: String,
        userInfo: [CodingUserInfoKey: Any], reservedKeys: Set<String> = []
    ) throws(ConfigurationError) -> T {
        if let value = try ScalarDecoding.primitive(type, from: node, path: path) { return value }
        let decoder = YAMLNodeDecoder(
            node: node, codingPath: codingPath, path: path, userInfo: userInfo, reservedKeys: reservedKeys)
        let value: T
        do {
            value = try T(from: decoder)
        } catch {
            throw decoder.preferringUnknownKey(over: decoder.locate(error, allowedValues: allowedValues(of: T.self)))
        }
        try decoder.checkUnusedKeys(hints: T.self as? any ConfigurationKeyHints.Type)
        return value
    }

    // MARK: - Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let pairs: [(key: YAMLNode, value: YAMLNode)]
        switch node.kind {
        case .mapping(let mapping): pairs = mapping
        case .scalar where node.isNull: pairs = []  // `section:` with nothing under it is an empty mapping
        default: throw ScalarDecoding.wrongType(expected: "a mapping", node: node, path: path)
        }
        usedKeyedContainer = true
        if let names = Self.caseNames(of: Key.self) {
            listedKeys += names.filter { !listedKeys.contains($0) }
        }
        if checksKeysEagerly { try rejectKeysUnrepresentable(by: Key.self, in: pairs) }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self, pairs: pairs))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        usedOtherContainer = true
        switch node.kind {
        case .sequence(let items): return YAMLUnkeyedContainer(decoder: self, items: items)
        case .scalar where node.isNull: return YAMLUnkeyedContainer(decoder: self, items: [])
        default: throw ScalarDecoding.wrongType(expected: "a sequence", node: node, path: path)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        usedOtherContainer = true
        return YAMLSingleValueContainer(decoder: self)
    }

    // MARK: - Bookkeeping for containers

    /// Records that the type asked about `key`.
    func noteAsked(_ key: String) {
        if askedKeySet.insert(key).inserted { askedKeys.append(key) }
    }

    /// A decoder for a nested container's node, checked for unknown keys together with this one.
    func nestedDecoder(for node: YAMLNode, key: any CodingKey, path: String) -> YAMLNodeDecoder {
        let nested = YAMLNodeDecoder(node: node, codingPath: codingPath + [key], path: path, userInfo: userInfo)
        nestedDecoders.append(nested)
        return nested
    }

    // MARK: - Unknown keys

    /// Throws `.unknownKey` for the first mapping key nobody asked about, here and in nested containers.
    func checkUnusedKeys(hints: (any ConfigurationKeyHints.Type)?) throws(ConfigurationError) {
        if case .mapping(let pairs) = node.kind, usedKeyedContainer || !usedOtherContainer {
            let unknown = pairs.map(\.key).filter { key in
                let name = key.scalarText ?? ""
                return !reservedKeys.contains(name) && !askedKeySet.contains(name)
            }
            if let first = unknown.first {
                throw unknownKeyError(first, alsoUnknown: unknown.dropFirst().compactMap(\.scalarText), hints: hints)
            }
        }
        for nested in nestedDecoders { try nested.checkUnusedKeys(hints: nil) }
    }

    /// The `.unknownKey` error for `key`, with a hint or a "did you mean" suggestion.
    func unknownKeyError(
        _ key: YAMLNode, alsoUnknown: [String], hints: (any ConfigurationKeyHints.Type)?,
        suggestion explicitSuggestion: String? = nil
    ) -> ConfigurationError {
        let name = key.scalarText ?? ""
        var message = "unknown key '\(name)'"
        if let hint = hints?.hint(forUnknownKey: name) {
            message += ": \(hint)"
        } else if let suggestion = explicitSuggestion ?? KeySuggestion.closest(to: name, among: suggestionCandidates())
        {
            message += "; did you mean '\(suggestion)'?"
        }
        if !alsoUnknown.isEmpty {
            let shown = alsoUnknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            message += " (also unknown: \(shown)\(alsoUnknown.count > 5 ? ", …" : ""))"
        }
        return ConfigurationError(
            .unknownKey, keyPath: KeyPathText.appending(name, to: path), position: key.position, message)
    }

    /// Keys the type knows (asked or listed) that the mapping does not already hold.
    private func suggestionCandidates() -> [String] {
        let present = Set(node.mappingPairs?.compactMap(\.key.scalarText) ?? [])
        var seen: Set<String> = []
        return (listedKeys + askedKeys).filter {
            !present.contains($0) && !reservedKeys.contains($0) && seen.insert($0).inserted
        }
    }

    /// Eager check: every key (but reserved ones) must be a case of `Key`.
    private func rejectKeysUnrepresentable<Key: CodingKey>(
        by keyType: Key.Type, in pairs: [(key: YAMLNode, value: YAMLNode)]
    ) throws(ConfigurationError) {
        let unknown = pairs.map(\.key).filter { key in
            let name = key.scalarText ?? ""
            return !reservedKeys.contains(name) && Key(stringValue: name) == nil
        }
        guard let first = unknown.first else { return }
        let name = first.scalarText ?? ""
        let suggestion =
            listedKeys.isEmpty
            ? KeySuggestion.probe(name) { !self.reservedKeys.contains($0) && Key(stringValue: $0) != nil }
            : KeySuggestion.closest(to: name, among: listedKeys)
        throw unknownKeyError(
            first, alsoUnknown: unknown.dropFirst().compactMap(\.scalarText), hints: nil, suggestion: suggestion)
    }

    /// When a required key is missing and an unknown key looks like a misspelling of it, the misspelling is the
    /// better report (`modle` → "did you mean 'model'?" rather than "missing required key 'model'").
    private func preferringUnknownKey(over error: ConfigurationError) -> ConfigurationError {
        guard error.code == .missingKey, case .mapping(let pairs) = node.kind, let keyPath = error.keyPath else {
            return error
        }
        let prefix = path.isEmpty ? "" : path + "."
        guard keyPath.hasPrefix(prefix) else { return error }
        let missing = String(keyPath.dropFirst(prefix.count))
        guard !missing.isEmpty, !missing.contains("."), !missing.contains("[") else { return error }
        for pair in pairs {
            guard let name = pair.key.scalarText, !askedKeySet.contains(name), !reservedKeys.contains(name),
                KeySuggestion.closest(to: name, among: [missing]) != nil
            else { continue }
            return unknownKeyError(pair.key, alsoUnknown: [], hints: nil, suggestion: missing)
        }
        return error
    }

    // MARK: - Type introspection

    private static func caseNames<Key: CodingKey>(of type: Key.Type) -> [String]? {
        guard let iterable = type as? any (CaseIterable & CodingKey).Type else { return nil }
        return names(of: iterable)
    }

    private static func names<Key: CaseIterable & CodingKey>(of type: Key.Type) -> [String] {
        Key.allCases.map(\.stringValue)
    }

    /// The raw values of a `String`-backed enum, so an invalid value can list what is allowed.
    static func allowedValues<T>(of type: T.Type) -> [String]? {
        guard let iterable = type as? any (CaseIterable & RawRepresentable).Type else { return nil }
        return rawValues(of: iterable)
    }

    private static func rawValues<E: CaseIterable & RawRepresentable>(of type: E.Type) -> [String] {
        E.allCases.map { "\($0.rawValue)" }
    }
}
