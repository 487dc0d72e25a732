/// A parsed or to-be-written JSON value that keeps what strict readers need and forgiving parsers lose.
///
/// Objects keep their members in document order (duplicates too, when the parser is told to keep them), and
/// numbers keep their literal text, so a 64-bit integer round-trips exactly and `1`, `1.0` and `1e0` stay
/// distinguishable. Build values with literals:
///
/// ```swift
/// let options: JSONValue = ["kind": "fsdp2", "reshard_after_forward": true, "world_size": 4]
/// let bytes = JSONWriter.encode(options, options: .init(sortsKeys: true))
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    // MARK: - Making values

    /// An integer value, written exactly.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(JSONNumber(value)) }

    /// A finite double written in Swift's shortest round-trip form, or `nil` for NaN and the infinities, which
    /// JSON cannot represent.
    public static func double(_ value: Double) -> JSONValue? { JSONNumber(value).map(JSONValue.number) }

    // MARK: - Typed access

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, if this is one.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The value of the first member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The value as an integer, if it is a number written as a plain integer literal within `Int64`.
    public var int64Value: Int64? { numberValue?.int64Value }

    /// The value as an exact `Int`, if it is a number written as a plain integer literal within `Int`.
    public var intValue: Int? { numberValue?.intValue }

    /// The value as a non-negative `Int`, if it is a plain digit literal (no sign, fraction or exponent).
    public var nonNegativeInteger: Int? { numberValue?.nonNegativeInteger }

    // MARK: - Descriptions

    /// What the value is, with an article, for error messages: `a string`, `an array`, `a boolean`, `null`.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Like ``kindName``, but a boolean names its value: `a boolean (true)`.
    public var kindDescription: String {
        if case .bool(let value) = self { return "a boolean (\(value))" }
        return kindName
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }

    public init(integerLiteral value: Int) { self = .integer(value) }

    /// Creates a number from a float literal, which is always finite.
    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else { preconditionFailure("JSONValue: float literal \(value) is not finite") }
        self = .number(number)
    }

    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// Creates an object whose members appear in literal order; a repeated key is a programming error.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(uniqueMembers: elements))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { JSONWriter.string(self) }
}
