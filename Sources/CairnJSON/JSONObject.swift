/// The members of a JSON object in document order, with lookup by key.
///
/// Order is kept so a writer can reproduce a document and a reader can report the first problem in file order;
/// duplicates are kept only when the parser is told to (safetensors headers reject them with their own error).
/// Lookup is linear for small objects and hashed for large ones (a tokenizer's 150,000-entry vocabulary).
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// The members in order.
    public private(set) var members: [JSONMember]
    /// Key → position of its first member, kept once the object is large enough for linear search to hurt.
    private var positions: [String: Int]?

    private static let hashedLookupThreshold = 16

    // MARK: - Initializers

    /// Creates an empty object.
    public init() {
        members = []
        positions = nil
    }

    /// Creates an object from members in order; duplicates are kept.
    public init(_ members: some Sequence<JSONMember>) {
        self.init()
        for member in members { append(member) }
    }

    /// Creates an object from key–value pairs in order; a repeated key is a programming error.
    public init(uniqueMembers pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in pairs {
            precondition(self[key] == nil, "JSONObject: key \"\(key)\" appears twice")
            append(JSONMember(key: key, value: value))
        }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(uniqueMembers: elements)
    }

    // MARK: - Lookup

    /// The value of the first member named `key`; setting replaces that member's value, or appends a member.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    rebuildPositions()
                }
            } else if let newValue {
                append(JSONMember(key: key, value: newValue))
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// Whether the object has a member named `key`.
    public func contains(key: String) -> Bool { position(of: key) != nil }

    /// The position of the first member named `key`.
    public func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }

    /// Appends a member (even when its key is already present).
    public mutating func append(_ member: JSONMember) {
        members.append(member)
        if positions != nil {
            if positions?[member.key] == nil { positions?[member.key] = members.count - 1 }
        } else if members.count > Self.hashedLookupThreshold {
            rebuildPositions()
        }
    }

    /// Appends a member named `key`.
    public mutating func append(key: String, value: JSONValue) {
        append(JSONMember(key: key, value: value))
    }

    // MARK: - Collection

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> JSONMember { members[position] }

    // MARK: - Equality

    /// Equal when the members are equal in order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.members == rhs.members }

    public func hash(into hasher: inout Hasher) { hasher.combine(members) }

    // MARK: - Private helpers

    private mutating func rebuildPositions() {
        guard members.count > Self.hashedLookupThreshold else {
            positions = nil
            return
        }
        var table: [String: Int] = [:]
        table.reserveCapacity(members.count)
        for (position, member) in members.enumerated() where table[member.key] == nil { table[member.key] = position }
        positions = table
    }
}

/// One `"key": value` pair of a JSON object, with where its key was found when it was parsed.
public struct JSONMember: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value.
    public var value: JSONValue
    /// Where the key's opening quote was in the parsed bytes; `nil` for members built in code.
    public var position: JSONPosition?

    /// Creates a member.
    public init(key: String, value: JSONValue, position: JSONPosition? = nil) {
        self.key = key
        self.value = value
        self.position = position
    }

    /// Equal when keys and values are equal; positions are ignored.
    public static func == (lhs: JSONMember, rhs: JSONMember) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value)
    }
}

/// A place in parsed JSON bytes: the byte offset and the 1-based line and column (in bytes).
public struct JSONPosition: Sendable, Hashable, CustomStringConvertible {
    /// Byte offset from the start of the parsed bytes.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in bytes.
    public var column: Int

    /// Creates a position.
    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
