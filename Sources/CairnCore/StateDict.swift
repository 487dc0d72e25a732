/// A flat map from canonical keys to values, iterated in key order.
///
/// Saving walks the ``StateRegistry`` into one `StateDict`; resuming walks it back. Equal dicts iterate, and so
/// serialize, identically.
public struct StateDict: Sendable, Equatable {
    private var storage: [StateKey: StateValue]

    /// Creates an empty dict.
    public init() {
        storage = [:]
    }

    /// Creates a dict from key–value pairs; a duplicate key is a programming error.
    public init(_ pairs: some Sequence<(StateKey, StateValue)>) {
        storage = Dictionary(pairs, uniquingKeysWith: { _, _ in
            preconditionFailure("StateDict: duplicate key in initializer")
        })
    }

    /// The value for `key`.
    public subscript(key: StateKey) -> StateValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// The keys in canonical order.
    public var keys: [StateKey] { storage.keys.sorted() }

    /// The entries in canonical key order.
    public var entries: [(key: StateKey, value: StateValue)] {
        storage.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// The number of entries.
    public var count: Int { storage.count }

    /// Whether the dict has no entries.
    public var isEmpty: Bool { storage.isEmpty }

    /// Adds every entry of `other` with `prefix` prepended to its key.
    /// - Throws: ``StateDictError`` `.duplicateKey` when a resulting key is already present.
    public mutating func merge(_ other: StateDict, under prefix: StateKey) throws(StateDictError) {
        for (key, value) in other.storage {
            let full = prefix.appending(key)
            guard storage[full] == nil else { throw StateDictError(.duplicateKey, key: full, "key is set twice") }
            storage[full] = value
        }
    }

    /// The entries under `prefix`, with the prefix removed from their keys.
    public func subdict(under prefix: StateKey) -> StateDict {
        var result = StateDict()
        for (key, value) in storage {
            if let relative = key.removingPrefix(prefix), !relative.rawValue.isEmpty { result[relative] = value }
        }
        return result
    }

    /// The entries whose values are tensors, in key order.
    public var tensors: [(key: StateKey, value: StateTensor)] {
        entries.compactMap { entry in entry.value.tensor.map { (key: entry.key, value: $0) } }
    }

    /// The value for `key` as an `Int64`.
    /// - Throws: ``StateDictError`` `.missingKey` or `.wrongType`.
    public func int(_ key: StateKey) throws(StateDictError) -> Int64 {
        guard case .int(let value) = try require(key) else { throw wrongType(key, expected: "int") }
        return value
    }

    /// The value for `key` as a list of `Int64`.
    public func ints(_ key: StateKey) throws(StateDictError) -> [Int64] {
        guard case .ints(let value) = try require(key) else { throw wrongType(key, expected: "int list") }
        return value
    }

    /// The value for `key` as a `Double`.
    public func double(_ key: StateKey) throws(StateDictError) -> Double {
        guard case .double(let value) = try require(key) else { throw wrongType(key, expected: "double") }
        return value
    }

    /// The value for `key` as a `String`.
    public func string(_ key: StateKey) throws(StateDictError) -> String {
        guard case .string(let value) = try require(key) else { throw wrongType(key, expected: "string") }
        return value
    }

    /// The value for `key` as a `Bool`.
    public func bool(_ key: StateKey) throws(StateDictError) -> Bool {
        guard case .bool(let value) = try require(key) else { throw wrongType(key, expected: "bool") }
        return value
    }

    /// The value for `key` as a tensor.
    public func tensor(_ key: StateKey) throws(StateDictError) -> StateTensor {
        guard case .tensor(let value) = try require(key) else { throw wrongType(key, expected: "tensor") }
        return value
    }

    /// The value for `key`.
    /// - Throws: ``StateDictError`` `.missingKey` when absent.
    public func require(_ key: StateKey) throws(StateDictError) -> StateValue {
        guard let value = storage[key] else { throw StateDictError(.missingKey, key: key, "no value for key") }
        return value
    }

    /// Checks that the dict has exactly `expected` keys (under `.strict`), naming the first difference.
    /// - Throws: ``StateDictError`` `.missingKey` or `.unexpectedKey`.
    public func checkKeys(_ expected: some Sequence<StateKey>, options: LoadOptions) throws(StateDictError) {
        let expectedSet = Set(expected)
        if !options.contains(.allowMissingKeys), let missing = expectedSet.subtracting(storage.keys).min() {
            throw StateDictError(.missingKey, key: missing, "checkpoint has no value for this key")
        }
        if !options.contains(.allowUnexpectedKeys), let extra = Set(storage.keys).subtracting(expectedSet).min() {
            throw StateDictError(.unexpectedKey, key: extra, "no component expects this key")
        }
    }

    private func wrongType(_ key: StateKey, expected: String) -> StateDictError {
        StateDictError(.wrongType, key: key, "expected \(expected), found \(storage[key]?.kindName ?? "nothing")")
    }
}

/// How strictly a load matches keys. Strict (the empty set) by default.
public struct LoadOptions: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Keys the component expects may be absent; those values keep their current state.
    public static let allowMissingKeys = LoadOptions(rawValue: 1 << 0)
    /// Keys the component does not know are ignored.
    public static let allowUnexpectedKeys = LoadOptions(rawValue: 1 << 1)
    /// Every key must match exactly.
    public static let strict: LoadOptions = []
}
