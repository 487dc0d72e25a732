/// How Cairn types plain YAML scalars: the YAML 1.2 core schema.
///
/// libyaml hands every scalar over as text; this is the one place that decides what the text means. Only
/// *plain* (unquoted) scalars are typed; quoted and block scalars are always strings.
///
/// | type | plain scalar text (the whole scalar must match) |
/// | --- | --- |
/// | null | `null`, `Null`, `NULL`, `~`, or nothing at all |
/// | bool | `true`, `True`, `TRUE`, `false`, `False`, `FALSE` |
/// | int | `[-+]?[0-9]+` (decimal), `0o[0-7]+` (octal), `0x[0-9a-fA-F]+` (hexadecimal) |
/// | float | `[-+]?(\.[0-9]+\|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?(.inf\|.Inf\|.INF)`, `.nan\|.NaN\|.NAN` |
/// | string | anything else |
///
/// So `1.0e-4`, `1e-4` and `.5` are floats, `1e3` is a float (not an integer), and `yes`, `on`, `0b101`,
/// `1_000` and `12:30` — which YAML 1.1 typed — are strings.
public enum CoreSchema {
    /// A plain scalar's meaning under the core schema.
    public enum Value: Equatable, Sendable {
        /// `null`, `~` or empty.
        case null
        /// A boolean.
        case bool(Bool)
        /// An integer that matched the int pattern; `nil` when it does not fit in 64 bits.
        case int(Int64?)
        /// A float (including `.inf` and `.nan`).
        case float(Double)
        /// Anything else.
        case string(String)
    }

    // MARK: - Public API

    /// Resolves a plain scalar's text.
    public static func resolve(_ text: String) -> Value {
        if isNull(text) { return .null }
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let bytes = Array(text.utf8)
        if let integer = integerMatch(bytes) { return .int(integer) }
        if let number = floatMatch(text, bytes) { return .float(number) }
        return .string(text)
    }

    /// Whether `text`, written plain, is null.
    public static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    // MARK: - Integers

    /// The integer's value when `bytes` matches one of the int patterns: `.some(nil)` when it overflows.
    private static func integerMatch(_ bytes: [UInt8]) -> Int64?? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") {
            return digits(bytes[2...], radix: 16, negative: false)
        }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") {
            return digits(bytes[2...], radix: 8, negative: false)
        }
        var body = bytes[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        return digits(body, radix: 10, negative: negative)
    }

    /// Parses `body` as digits of `radix`: `nil` if any byte is not a digit, `.some(nil)` on overflow.
    private static func digits(_ body: ArraySlice<UInt8>, radix: Int, negative: Bool) -> Int64?? {
        guard !body.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        var overflowed = false
        for byte in body {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            let (shifted, overflowA) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, overflowB) = shifted.addingReportingOverflow(UInt64(digit))
            overflowed = overflowed || overflowA || overflowB
            magnitude = sum
        }
        if overflowed { return .some(nil) }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .some(Int64.min) }
            return magnitude <= UInt64(Int64.max) ? .some(-Int64(magnitude)) : .some(nil)
        }
        return magnitude <= UInt64(Int64.max) ? .some(Int64(magnitude)) : .some(nil)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    // MARK: - Floats

    /// The float's value when `text` matches the float pattern or one of the special values.
    private static func floatMatch(_ text: String, _ bytes: [UInt8]) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard matchesFloatPattern(bytes) else { return nil }
        // The pattern is a subset of what strtod accepts, so this only fails on exotic platform behaviour.
        return Double(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked byte by byte.
    private static func matchesFloatPattern(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func isDigit(_ at: Int) -> Bool {
            at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9")
        }
        func skipDigits() -> Int {
            let start = index
            while isDigit(index) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { return false }
        } else {
            guard skipDigits() > 0 else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                _ = skipDigits()
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard skipDigits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
