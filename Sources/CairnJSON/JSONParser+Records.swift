/// One value of a multi-record document (a JSONL line or an element of a top-level array) and the line it
/// starts on.
public struct JSONRecord: Sendable, Hashable {
    /// The value.
    public var value: JSONValue
    /// The 1-based line where the value starts.
    public var line: Int

    /// Creates a record.
    public init(value: JSONValue, line: Int) {
        self.value = value
        self.line = line
    }
}

extension JSONParser {
    /// Parses JSON Lines: one value per non-blank line (blank lines, spaces and `\r` are allowed and skipped),
    /// stopping after `limit` values.
    ///
    /// Errors carry the line and column in the whole document, and offsets from its first byte.
    /// - Throws: ``JSONSyntaxError`` for the first bad line.
    public static func parseLines(
        _ bytes: UnsafeRawBufferPointer, options: Options = .strict, limit: Int? = nil
    ) throws(JSONSyntaxError) -> [JSONRecord] {
        var records: [JSONRecord] = []
        let hasMark = options.skipsByteOrderMark && bytes.starts(with: [0xEF, 0xBB, 0xBF])
        var start = hasMark ? 3 : 0
        var lineNumber = 1
        var lineOptions = options
        lineOptions.skipsByteOrderMark = false
        while start < bytes.count {
            if let limit, records.count >= limit { break }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                let value = try parse(line, options: lineOptions, firstLine: lineNumber, baseOffset: start)
                records.append(JSONRecord(value: value, line: lineNumber))
            }
            start = end + 1
            lineNumber += 1
        }
        return records
    }

    /// Parses a document that must be one JSON array, returning each element with the line where it starts.
    /// - Throws: ``JSONSyntaxError`` when the document is not an array or is invalid.
    public static func parseArrayElements(
        _ bytes: UnsafeRawBufferPointer, options: Options = .strict
    ) throws(JSONSyntaxError) -> [JSONRecord] {
        var parser = JSONParser(bytes: bytes, options: options, firstLine: 1, baseOffset: 0)
        parser.skipByteOrderMarkIfAllowed()
        parser.skipWhitespace()
        guard parser.peek == UInt8(ascii: "[") else { throw parser.error("expected a JSON array") }
        parser.index += 1
        parser.depth = 1
        var elements: [JSONRecord] = []
        parser.skipWhitespace()
        if parser.peek == UInt8(ascii: "]") {
            parser.index += 1
        } else {
            while true {
                parser.skipWhitespace()
                let elementLine = parser.line
                elements.append(JSONRecord(value: try parser.parseValue(), line: elementLine))
                parser.skipWhitespace()
                if try parser.consumeSeparator(closing: UInt8(ascii: "]"), in: "array") { break }
            }
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected content after the JSON array") }
        return elements
    }

    /// Parses JSON Lines held in an array; see ``parseLines(_:options:limit:)-(UnsafeRawBufferPointer,_,_)``.
    /// - Throws: ``JSONSyntaxError`` for the first bad line.
    public static func parseLines(
        _ bytes: [UInt8], options: Options = .strict, limit: Int? = nil
    ) throws(JSONSyntaxError) -> [JSONRecord] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) in try parseLines(buffer, options: options, limit: limit) }
        }
        return try result.get()
    }

    /// Parses a JSON array held in an array of bytes; see
    /// ``parseArrayElements(_:options:)-(UnsafeRawBufferPointer,_)``.
    /// - Throws: ``JSONSyntaxError`` when the document is not an array or is invalid.
    public static func parseArrayElements(
        _ bytes: [UInt8], options: Options = .strict
    ) throws(JSONSyntaxError) -> [JSONRecord] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) in try parseArrayElements(buffer, options: options) }
        }
        return try result.get()
    }
}
