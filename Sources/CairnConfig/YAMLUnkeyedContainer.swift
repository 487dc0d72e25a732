import CairnCore

/// An unkeyed container over a sequence node.
struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: YAMLNodeDecoder
    private let items: [YAMLNode]
    private(set) var currentIndex = 0

    init(decoder: YAMLNodeDecoder, items: [YAMLNode]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    // MARK: - Values

    mutating func decodeNil() throws -> Bool {
        guard try current().isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeValue(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeValue(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeValue(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeValue(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type) }

    // MARK: - Nested containers

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nextNestedDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nextNestedDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try nextNestedDecoder()
    }

    // MARK: - Helpers

    private mutating func decodeValue<T: Decodable>(_ type: T.Type) throws(ConfigurationError) -> T {
        let node = try current()
        let value = try YAMLNodeDecoder.decode(
            type, node: node, codingPath: codingPath + [IndexKey(currentIndex)], path: currentPath,
            userInfo: decoder.userInfo)
        currentIndex += 1
        return value
    }

    private mutating func nextNestedDecoder() throws(ConfigurationError) -> YAMLNodeDecoder {
        let nested = decoder.nestedDecoder(for: try current(), key: IndexKey(currentIndex), path: currentPath)
        currentIndex += 1
        return nested
    }

    private func current() throws(ConfigurationError) -> YAMLNode {
        guard !isAtEnd else {
            throw ConfigurationError(
                .missingKey, keyPath: currentPath, position: decoder.node.position,
                "expected at least \(currentIndex + 1) items, found a sequence of \(items.count)")
        }
        return items[currentIndex]
    }

    private var currentPath: String { KeyPathText.appending(index: currentIndex, to: decoder.path) }
}
