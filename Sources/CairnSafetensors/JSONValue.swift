/// A parsed JSON value that keeps what strict validation needs and a forgiving parser would lose.
///
/// Objects keep every member in file order, duplicates included, so the header check can reject a duplicated
/// tensor name instead of silently keeping one of them; numbers keep their literal text, so `1.0`, `1e3`, `-0`
/// and 30-digit integers can each be told apart from a plain non-negative integer.
enum JSONValue: Equatable, Sendable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// A short name of the value's kind for error messages.
    var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value as a non-negative integer that fits in `Int`, or `nil` for any other value.
    ///
    /// Only a plain digit literal qualifies: fractions (`1.0`), exponents (`1e3`), signs (`-0`) and values above
    /// `Int.max` return `nil`.
    var nonNegativeInteger: Int? {
        guard case .number(let text) = self, !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// The string, or `nil` for any other value.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// One `"key": value` pair of a JSON object, with the byte offset of its key for error messages.
struct JSONMember: Equatable, Sendable {
    var key: String
    var value: JSONValue
    /// Offset of the key's opening quote in the parsed bytes.
    var offset: Int
}
