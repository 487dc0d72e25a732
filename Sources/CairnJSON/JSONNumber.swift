/// A JSON number kept as its literal text, so that nothing is lost between reading and interpreting it.
///
/// A 64-bit integer such as a random generator's word round-trips exactly (a `Double` would round it), and
/// readers that demand "a plain non-negative integer" can reject `1.0`, `1e3` and `-0` instead of accepting
/// whatever converts.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The literal text, which matches JSON's number grammar.
    public let text: String

    // MARK: - Initializers

    /// Creates a number whose text is known to match the grammar (the parser checks it).
    init(validatedText text: String) {
        self.text = text
    }

    /// Creates a number from literal text; `nil` unless `text` matches JSON's number grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    public init?(text: String) {
        guard Self.isValid(Array(text.utf8)) else { return nil }
        self.text = text
    }

    /// An integer, written exactly.
    public init(_ value: some BinaryInteger) {
        self.text = String(value)
    }

    /// A double in Swift's shortest round-trip form (`0.1`, `1e-05`, `-0.0`), or `nil` when it is not finite.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.text = value.description
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    // MARK: - Interpretations

    /// Whether the text is a plain integer literal (an optional minus sign and digits).
    public var isInteger: Bool {
        let bytes = text.utf8
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The exact value when the text is a plain integer literal within `Int64`, else `nil`.
    public var int64Value: Int64? {
        guard isInteger else { return nil }
        return Int64(text)
    }

    /// The exact value when the text is a plain integer literal within `Int`, else `nil`.
    public var intValue: Int? {
        guard isInteger else { return nil }
        return Int(text)
    }

    /// The value when the text is a plain digit literal (no sign, fraction or exponent) within `Int`.
    public var nonNegativeInteger: Int? {
        guard text.utf8.first != UInt8(ascii: "-") else { return nil }
        return intValue
    }

    /// The nearest double (`±infinity` beyond its range, `0` below it).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The value as an `Int` when it is integral, however written (`3`, `3.0`, `3e0`), and its magnitude is
    /// below 2⁵³ when written with a fraction or exponent (where doubles are still exact).
    public var integralValue: Int? {
        if let exact = intValue { return exact }
        let value = doubleValue
        guard value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    public var description: String { text }

    // MARK: - Grammar

    /// Whether `bytes` is exactly one JSON number.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
