import CairnCore

/// A keyed container over a mapping node; records every key the type asks about.
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: YAMLNodeDecoder
    private let values: [String: YAMLNode]
    private let orderedKeys: [String]

    init(decoder: YAMLNodeDecoder, pairs: [(key: YAMLNode, value: YAMLNode)]) {
        self.decoder = decoder
        var values: [String: YAMLNode] = [:]
        var orderedKeys: [String] = []
        for pair in pairs {
            guard let name = pair.key.scalarText else { continue }
            if values.updateValue(pair.value, forKey: name) == nil { orderedKeys.append(name) }
        }
        self.values = values
        self.orderedKeys = orderedKeys
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { orderedKeys.compactMap { Key(stringValue: $0) } }

    // MARK: - Presence

    func contains(_ key: Key) -> Bool {
        decoder.noteAsked(key.stringValue)
        return values[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try value(for: key).isNull
    }

    // MARK: - Values

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(type, forKey: key) }

    // MARK: - Nested containers

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(forKey: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = NameKey("super")
        decoder.noteAsked(key.stringValue)
        let node = values[key.stringValue] ?? YAMLNode(scalar: "", position: decoder.node.position)
        return decoder.nestedDecoder(for: node, key: key, path: childPath(key.stringValue))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try nestedDecoder(forKey: key)
    }

    // MARK: - Helpers

    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws(ConfigurationError) -> T {
        try YAMLNodeDecoder.decode(
            type, node: value(for: key), codingPath: codingPath + [key], path: childPath(key.stringValue),
            userInfo: decoder.userInfo)
    }

    private func nestedDecoder(forKey key: Key) throws(ConfigurationError) -> YAMLNodeDecoder {
        decoder.nestedDecoder(for: try value(for: key), key: key, path: childPath(key.stringValue))
    }

    /// The value for `key`; a missing key is reported at this mapping's position.
    private func value(for key: Key) throws(ConfigurationError) -> YAMLNode {
        decoder.noteAsked(key.stringValue)
        guard let node = values[key.stringValue] else {
            throw ConfigurationError(
                .missingKey, keyPath: childPath(key.stringValue), position: decoder.node.position,
                "missing required key '\(key.stringValue)'")
        }
        return node
    }

    private func childPath(_ name: String) -> String {
        KeyPathText.appending(name, to: decoder.path)
    }
}
