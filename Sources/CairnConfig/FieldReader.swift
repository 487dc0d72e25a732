public import CairnCore

/// Reads a keyed container's fields with defaults and range checks, remembering where each value was written.
///
/// ```swift
/// var reader = FieldReader(try decoder.container(keyedBy: CodingKeys.self))
/// cutoffLen = try reader.value(.cutoffLen, default: 1024, .atLeast(1))
/// maxSteps = try reader.optional(.maxSteps, .atLeast(1))
/// ```
/// Strategy and PEFT `Configuration` types may use it too; a failed requirement throws ``ConfigurationError``
/// at the value's position.
public struct FieldReader<Key: CodingKey> {
    /// The container read from.
    public let container: KeyedDecodingContainer<Key>
    /// Where each value read so far was written, by dotted key path.
    public private(set) var positions: [String: InputPosition] = [:]

    /// Creates a reader over `container`.
    public init(_ container: KeyedDecodingContainer<Key>) {
        self.container = container
    }

    // MARK: - Reading

    /// The value for `key`, which must be present (null is a wrong type unless `T` is optional), checked
    /// against `requirements`.
    /// - Throws: ``ConfigurationError`` `.missingKey`, `.wrongType`, or the failed requirement's code.
    public mutating func required<T: Decodable>(_ key: Key, _ requirements: Requirement<T>...) throws -> T {
        guard container.contains(key) else {
            throw ConfigurationError(
                .missingKey, keyPath: key.stringValue, "missing required key '\(key.stringValue)'")
        }
        return try read(key, requirements)
    }

    /// The value for `key`, or `defaultValue` when absent or null, checked against `requirements`.
    /// - Throws: ``ConfigurationError`` `.wrongType`, or the failed requirement's code.
    public mutating func value<T: Decodable>(
        _ key: Key, default defaultValue: T, _ requirements: Requirement<T>...
    ) throws -> T {
        guard try container.contains(key) && !container.decodeNil(forKey: key) else { return defaultValue }
        return try read(key, requirements)
    }

    /// The value for `key`, or `nil` when absent or null, checked against `requirements`.
    /// - Throws: ``ConfigurationError`` `.wrongType`, or the failed requirement's code.
    public mutating func optional<T: Decodable>(_ key: Key, _ requirements: Requirement<T>...) throws -> T? {
        guard try container.contains(key) && !container.decodeNil(forKey: key) else { return nil }
        return try read(key, requirements)
    }

    private mutating func read<T: Decodable>(_ key: Key, _ requirements: [Requirement<T>]) throws -> T {
        let positioned = try container.decode(PositionedValue<T>.self, forKey: key)
        if let position = positioned.position { positions[positioned.keyPath] = position }
        for requirement in requirements {
            guard let problem = requirement.problem(positioned.value) else { continue }
            throw ConfigurationError(
                requirement.code, keyPath: positioned.keyPath, position: positioned.position, problem)
        }
        return positioned.value
    }
}

/// A condition a configuration value must meet, with the message that explains a failure.
public struct Requirement<Value>: Sendable {
    /// The error code of a failure (`.outOfRange` for bounds, `.invalidValue` otherwise).
    public let code: ConfigurationError.Code
    /// The failure message for a value, or `nil` when it meets the requirement.
    public let problem: @Sendable (Value) -> String?

    /// Creates a requirement.
    public init(code: ConfigurationError.Code, problem: @escaping @Sendable (Value) -> String?) {
        self.code = code
        self.problem = problem
    }
}

extension Requirement where Value: Comparable & Sendable {
    /// `value ≥ minimum`.
    public static func atLeast(_ minimum: Value) -> Requirement {
        Requirement(code: .outOfRange) { $0 >= minimum ? nil : "must be ≥ \(minimum), got \($0)" }
    }

    /// `value > minimum` (NaN fails).
    public static func greaterThan(_ minimum: Value) -> Requirement {
        Requirement(code: .outOfRange) { $0 > minimum ? nil : "must be > \(minimum), got \($0)" }
    }

    /// `lower ≤ value ≤ upper`.
    public static func within(_ range: ClosedRange<Value>) -> Requirement {
        Requirement(code: .outOfRange) {
            range.contains($0) ? nil : "must be between \(range.lowerBound) and \(range.upperBound), got \($0)"
        }
    }

    /// `lower ≤ value < upper`.
    public static func within(_ range: Range<Value>) -> Requirement {
        Requirement(code: .outOfRange) {
            range.contains($0) ? nil : "must be ≥ \(range.lowerBound) and < \(range.upperBound), got \($0)"
        }
    }
}

extension Requirement where Value == String {
    /// A non-empty string.
    public static var nonEmpty: Requirement {
        Requirement(code: .invalidValue) { $0.isEmpty ? "must not be empty" : nil }
    }

    /// One of `allowed`, with a suggestion for a near miss.
    public static func oneOf(_ allowed: [String]) -> Requirement {
        Requirement(code: .invalidValue) { value in
            guard !allowed.contains(value) else { return nil }
            var message = "expected one of \(allowed.joined(separator: ", ")), found \(YAMLNode.quoted(value))"
            if let suggestion = KeySuggestion.closest(to: value, among: allowed) {
                message += "; did you mean '\(suggestion)'?"
            }
            return message
        }
    }
}
