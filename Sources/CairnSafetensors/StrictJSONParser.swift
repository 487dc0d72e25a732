/// A strict RFC 8259 JSON parser over raw bytes, used for safetensors headers and sharded indexes.
///
/// Strict means: UTF-8 validated up front, no comments, no trailing commas, no `NaN`, no control characters in
/// strings, no lone surrogates, a nesting limit, and nothing but whitespace after the top-level value. It never
/// traps on input: every problem is a ``JSONSyntaxError`` with the byte offset where it was found.
struct StrictJSONParser {
    /// The deepest nesting accepted; a safetensors header needs 3, an index 2.
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Parses `bytes` as one JSON value followed only by whitespace.
    /// - Throws: ``JSONSyntaxError`` on invalid UTF-8 or JSON.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        if let badOffset = firstInvalidUTF8Offset(bytes) {
            throw JSONSyntaxError(offset: badOffset, "invalid UTF-8")
        }
        var parser = StrictJSONParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count {
            throw JSONSyntaxError(offset: parser.position, "unexpected bytes after the JSON value")
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw JSONSyntaxError(offset: position, "unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw JSONSyntaxError(offset: position, "unexpected character \(describe(byte))")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONSyntaxError(offset: position, "nesting too deep") }
        position += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError(offset: position, "expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw JSONSyntaxError(offset: position, "expected ':'") }
            position += 1
            let value = try parseValue(depth: depth)
            members.append(JSONMember(key: key, value: value, offset: keyOffset))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw JSONSyntaxError(offset: position, "expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONSyntaxError(offset: position, "nesting too deep") }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw JSONSyntaxError(offset: position, "expected ',' or ']'")
            }
        }
    }

    /// Checks the number grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and returns its text.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if skipDigits() == 0 {
            throw JSONSyntaxError(offset: position, "expected a digit")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw JSONSyntaxError(offset: position, "expected a digit after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw JSONSyntaxError(offset: position, "expected an exponent") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let text = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        guard position + text.count <= bytes.count,
            bytes[position..<position + text.count].elementsEqual(text)
        else { throw JSONSyntaxError(offset: position, "invalid literal") }
        position += text.count
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote; the bytes are already known to be valid UTF-8.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1  // "
        // Fast path: most strings (names, dtypes) have no escape, so they are one slice of the input.
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
            position = end + 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        var runStart = position
        while true {
            guard let byte = peek() else { throw JSONSyntaxError(offset: position, "unterminated string") }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                appendRun(from: runStart, to: &scalars)
                position += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                scalars.append(try parseEscape())
                runStart = position
            } else if byte < 0x20 {
                throw JSONSyntaxError(offset: position, "control character \(describe(byte)) in a string")
            } else {
                position += 1
            }
        }
    }

    private func appendRun(from start: Int, to scalars: inout String.UnicodeScalarView) {
        guard start < position else { return }
        let run = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        scalars.append(contentsOf: run.unicodeScalars)
    }

    /// Parses the escape after a backslash.
    private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        guard let byte = peek() else { throw JSONSyntaxError(offset: position, "unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let escapeOffset = position - 2
            let first = try parseHex4()
            if (0xDC00...0xDFFF).contains(first) {
                throw JSONSyntaxError(offset: escapeOffset, "lone low surrogate")
            }
            if (0xD800...0xDBFF).contains(first) {
                guard peek() == UInt8(ascii: "\\"), peek(at: position + 1) == UInt8(ascii: "u") else {
                    throw JSONSyntaxError(offset: escapeOffset, "lone high surrogate")
                }
                position += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw JSONSyntaxError(offset: escapeOffset, "high surrogate without a low surrogate")
                }
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                guard let scalar = Unicode.Scalar(combined) else {
                    throw JSONSyntaxError(offset: escapeOffset, "invalid surrogate pair")
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else {
                throw JSONSyntaxError(offset: escapeOffset, "invalid \\u escape")
            }
            return scalar
        default:
            throw JSONSyntaxError(offset: position - 1, "invalid escape \\\(describe(byte))")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw JSONSyntaxError(offset: position, "unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(offset: position, "expected a hex digit")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    // MARK: - Bytes

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private func peek(at offset: Int) -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
        {
            position += 1
        }
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or `nil`.
    ///
    /// Rejects overlong forms, surrogates (U+D800–U+DFFF) and values above U+10FFFF, as Unicode requires.
    static func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lowest: UInt8 = 0x80
            var highest: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lowest, second <= highest else { return index }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}

/// A JSON document is not valid, with the byte offset where parsing stopped.
struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// Byte offset of the problem from the start of the parsed bytes.
    var offset: Int
    /// What is wrong.
    var message: String

    init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }

    var description: String { "\(message) at byte \(offset)" }
}
