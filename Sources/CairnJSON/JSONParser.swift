/// A strict RFC 8259 JSON parser over UTF-8 bytes that reports where every problem is.
///
/// Strict means: UTF-8 validated inside strings (no overlong forms, encoded surrogates or values past U+10FFFF),
/// no comments, trailing commas, `NaN` or unescaped control characters, no lone `\u` surrogates, a nesting limit
/// (so hostile input fails instead of overflowing the stack), duplicate keys rejected unless the caller keeps them,
/// and nothing but whitespace after the value. It never traps on input: every problem is a ``JSONSyntaxError``
/// with byte offset, line and column. Numbers keep their text (``JSONNumber``) and objects their order.
///
/// Written for Cairn rather than taken from Foundation because dataset errors must name the line of the bad
/// record, 64-bit integers must round-trip, and numbers and booleans must not be confused (Foundation on Linux
/// bridges both through `NSNumber`).
///
/// ```swift
/// let value = try JSONParser.parse(Array(text.utf8))
/// let records = try JSONParser.parseLines(bytes)        // JSONL: one value per non-blank line
/// ```
public struct JSONParser {
    /// What the parser accepts beyond the strict default.
    public struct Options: Sendable, Hashable {
        /// The deepest nesting of arrays and objects accepted.
        public var maximumDepth: Int
        /// Whether a key repeated within one object is an error (otherwise both members are kept, in order).
        public var rejectsDuplicateKeys: Bool
        /// Whether a UTF-8 byte-order mark before the value is skipped (otherwise it is an error).
        public var skipsByteOrderMark: Bool

        /// Creates options; the defaults are strict.
        public init(maximumDepth: Int = 512, rejectsDuplicateKeys: Bool = true, skipsByteOrderMark: Bool = false) {
            self.maximumDepth = maximumDepth
            self.rejectsDuplicateKeys = rejectsDuplicateKeys
            self.skipsByteOrderMark = skipsByteOrderMark
        }

        /// The defaults: depth 512, duplicate keys rejected, no byte-order mark.
        public static let strict = Options()
    }

    /// The default nesting limit.
    public static let defaultMaximumDepth = 512

    let bytes: UnsafeRawBufferPointer
    let options: Options
    /// The offset of `bytes` inside the caller's buffer, added to reported offsets.
    let baseOffset: Int
    var index = 0
    var line: Int
    var lineStart = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer, options: Options, firstLine: Int, baseOffset: Int) {
        self.bytes = bytes
        self.options = options
        self.line = firstLine
        self.baseOffset = baseOffset
    }

    // MARK: - Entry points

    /// Parses `bytes` as one JSON value with optional surrounding whitespace.
    /// - Parameters:
    ///   - firstLine: the line number of the first byte, for text cut out of a larger file.
    /// - Throws: ``JSONSyntaxError`` on anything the grammar or `options` reject.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, options: Options = .strict, firstLine: Int = 1
    ) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes, options: options, firstLine: firstLine, baseOffset: 0)
    }

    /// Parses `bytes` as one JSON value with optional surrounding whitespace.
    /// - Throws: ``JSONSyntaxError``.
    public static func parse(_ bytes: [UInt8], options: Options = .strict) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) in try parse(buffer, options: options) }
        }
        return try result.get()
    }

    /// Parses the UTF-8 of `text` as one JSON value.
    /// - Throws: ``JSONSyntaxError``.
    public static func parse(_ text: String, options: Options = .strict) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    static func parse(
        _ bytes: UnsafeRawBufferPointer, options: Options, firstLine: Int, baseOffset: Int
    ) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, options: options, firstLine: firstLine, baseOffset: baseOffset)
        parser.skipByteOrderMarkIfAllowed()
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected content after the JSON value") }
        return value
    }

    // MARK: - Values

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = peek else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character \(describe(byte)), expected a value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterNesting()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else {
                throw error((peek == nil ? "unexpected end of input, " : "") + "expected a string key in an object")
            }
            let keyPosition = position(of: index)
            let key = try parseString()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':' after the object key \"\(key)\"") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if options.rejectsDuplicateKeys, object.contains(key: key) {
                throw JSONSyntaxError(
                    message: "duplicate object key \"\(key)\"", offset: keyPosition.offset, line: keyPosition.line,
                    column: keyPosition.column)
            }
            object.append(JSONMember(key: key, value: value, position: keyPosition))
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "}"), in: "object") { break }
        }
        depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterNesting()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "]"), in: "array") { break }
        }
        depth -= 1
        return .array(elements)
    }

    /// Consumes `,` (returning false) or the closing bracket (returning true).
    mutating func consumeSeparator(closing: UInt8, in container: String) throws(JSONSyntaxError) -> Bool {
        switch peek {
        case UInt8(ascii: ","):
            index += 1
            return false
        case closing:
            index += 1
            return true
        case nil:
            throw error("unexpected end of input inside an \(container)")
        case let byte?:
            let expected = Character(Unicode.Scalar(closing))
            throw error("unexpected character \(describe(byte)), expected ',' or '\(expected)'")
        }
    }

    private mutating func enterNesting() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= options.maximumDepth else { throw error("nesting deeper than \(options.maximumDepth) levels") }
    }

    // MARK: - Numbers and literals

    /// Checks the number grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and keeps the text.
    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { throw error("invalid number: expected a digit") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, isDigit(digit) else { throw error("invalid number: expected a digit after '.'") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, isDigit(digit) else { throw error("invalid number: expected an exponent") }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(validatedText: text)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let text = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        guard index + count <= bytes.count, bytes[index..<index + count].elementsEqual(text) else {
            throw error("unexpected character \(describe(bytes[index])), expected a value")
        }
        index += count
    }

    // MARK: - Bytes

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    mutating func skipByteOrderMarkIfAllowed() {
        guard options.skipsByteOrderMark, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF
        else { return }
        index = 3
        lineStart = 3
    }

    func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte)
            ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16, uppercase: true))"
    }

    /// The position of `offset` on the current line.
    func position(of offset: Int) -> JSONPosition {
        JSONPosition(offset: baseOffset + offset, line: line, column: offset - lineStart + 1)
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let position = position(of: offset ?? index)
        return JSONSyntaxError(message: message, offset: position.offset, line: position.line, column: position.column)
    }
}
