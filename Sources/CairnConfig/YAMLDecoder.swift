public import CairnCore

/// Decodes `Decodable` types from YAML, strictly: typed by the YAML 1.2 core schema, unknown keys rejected, every
/// error a ``ConfigurationError`` with the key path and file:line:column.
///
/// Scalars follow ``CoreSchema``: quoted scalars are always strings; `Int` comes only from integer scalars (`1.5`
/// and `1e3` are wrong types), `Double` from integers or floats, `Bool` from `true`/`false` forms, `String` from
/// any non-null scalar. A null value (`key:` with nothing after it) reads as an empty mapping or sequence when one
/// is expected.
///
/// After a type's `init(from:)` returns, every key of its mapping it never asked about (through `decode`,
/// `decodeIfPresent` or `contains`) is an `.unknownKey` error at the key, with "did you mean" over the keys it
/// did ask about (and all its `CodingKeys` when they are `CaseIterable`). A type conforming to
/// ``ConfigurationKeyHints`` can explain particular keys instead.
///
/// ```swift
/// struct Options: Decodable { var syncEvery = 4
///     enum CodingKeys: String, CodingKey { case syncEvery = "sync_every" } }
/// let options = try YAMLDecoder().decode(Options.self, from: YAMLParser.parse("sync_every: 8", file: "a.yaml"))
/// ```
public struct YAMLDecoder: Sendable {
    /// Values handed to every `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    // MARK: - Public API

    /// Decodes `type` from `node`.
    /// - Throws: ``ConfigurationError``: `.wrongType`, `.missingKey`, `.unknownKey`, `.outOfRange`,
    ///   `.invalidValue`, or whatever code the type's own `init(from:)` threw, positioned.
    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws(ConfigurationError) -> T {
        try YAMLNodeDecoder.decode(type, node: node, codingPath: [], path: "", userInfo: erasedUserInfo)
    }

    /// Decodes `type` from `node`, a value found at `keyPath` of a larger document (such as one entry of a
    /// dataset spec), so error key paths start there: `demo.converter` rather than `converter`.
    /// - Throws: ``ConfigurationError`` as ``decode(_:from:)``.
    public func decode<T: Decodable>(
        _ type: T.Type, from node: YAMLNode, keyPath: String
    ) throws(ConfigurationError) -> T {
        let codingPath: [any CodingKey] = (KeyPathText.components(of: keyPath) ?? [.key(keyPath)]).map { component in
            switch component {
            case .key(let name): NameKey(name)
            case .index(let index): IndexKey(index)
            }
        }
        return try YAMLNodeDecoder.decode(
            type, node: node, codingPath: keyPath.isEmpty ? [] : codingPath, path: keyPath, userInfo: erasedUserInfo)
    }

    /// Parses the YAML file at `path` and decodes `type` from it.
    /// - Throws: ``ConfigurationError`` `.missingFile`, `.malformedInput`, or as ``decode(_:from:)``.
    public func decode<T: Decodable>(_ type: T.Type, fromFile path: String) throws(ConfigurationError) -> T {
        try decode(type, from: YAMLParser.parse(contentsOfFile: path))
    }

    /// Parses `text` (positions name `file`) and decodes `type` from it.
    /// - Throws: ``ConfigurationError`` `.malformedInput`, or as ``decode(_:from:)``.
    public func decode<T: Decodable>(_ type: T.Type, from text: String, file: String) throws(ConfigurationError) -> T {
        try decode(type, from: YAMLParser.parse(text, file: file))
    }

    var erasedUserInfo: [CodingUserInfoKey: Any] {
        userInfo.mapValues { $0 as Any }
    }
}
