/// Writes ``JSONValue``s as JSON text: the same value always gives the same bytes.
///
/// Numbers are written as their text (``JSONNumber`` keeps integers exact and doubles in Swift's shortest
/// round-trip form); strings escape `"`, `\` and control characters and keep everything else as raw UTF-8;
/// object members keep their order unless ``Options/sortsKeys`` sorts them by UTF-8 bytes.
///
/// ```swift
/// let text = JSONWriter.string(manifest, options: .init(sortsKeys: true, indentation: 2))
/// ```
public enum JSONWriter {
    /// How the text is laid out.
    public struct Options: Sendable, Hashable {
        /// Whether object members are written in UTF-8 byte order of their keys (else in their own order).
        public var sortsKeys: Bool
        /// Spaces per nesting level for a multi-line layout, or `nil` for compact single-line output. Arrays
        /// holding only numbers, strings, booleans and nulls stay on one line either way.
        public var indentation: Int?

        /// Creates options; the defaults give compact output in member order.
        public init(sortsKeys: Bool = false, indentation: Int? = nil) {
            self.sortsKeys = sortsKeys
            self.indentation = indentation
        }

        /// Compact, sorted keys: the canonical form whose bytes only depend on the value.
        public static let canonical = Options(sortsKeys: true)
    }

    /// The UTF-8 text of `value`, ending without a newline.
    public static func encode(_ value: JSONValue, options: Options = Options()) -> [UInt8] {
        var output: [UInt8] = []
        append(value, to: &output, options: options, level: 0)
        return output
    }

    /// The text of `value`.
    public static func string(_ value: JSONValue, options: Options = Options()) -> String {
        String(decoding: encode(value, options: options), as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal: quotes, backslashes and control characters escaped (`\n`, `\r`,
    /// `\t`, `\b`, `\f`, else `\u00XX`), every other character as raw UTF-8.
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output.append(contentsOf: utf8)
        } else {
            for byte in utf8 { appendEscaped(byte, to: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: - Private helpers

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let nullText = Array("null".utf8)
    private static let trueText = Array("true".utf8)
    private static let falseText = Array("false".utf8)

    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "\\"))
        case 0x0A: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "t"))
        case 0x08: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "f"))
        case 0..<0x20:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0xF)])
        default: output.append(byte)
        }
    }

    private static func append(_ value: JSONValue, to output: inout [UInt8], options: Options, level: Int) {
        switch value {
        case .null: output.append(contentsOf: nullText)
        case .bool(let flag): output.append(contentsOf: flag ? trueText : falseText)
        case .number(let number): output.append(contentsOf: number.text.utf8)
        case .string(let text): appendString(text, to: &output)
        case .array(let elements):
            let isFlat = elements.allSatisfy { !$0.isContainer }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                if isFlat {
                    if position > 0, options.indentation != nil { output.append(UInt8(ascii: " ")) }
                } else {
                    newline(&output, options: options, level: level + 1)
                }
                append(element, to: &output, options: options, level: level + 1)
            }
            if !isFlat, !elements.isEmpty { newline(&output, options: options, level: level) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            var members = object.members
            if options.sortsKeys { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(&output, options: options, level: level + 1)
                appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if options.indentation != nil { output.append(UInt8(ascii: " ")) }
                append(member.value, to: &output, options: options, level: level + 1)
            }
            if !members.isEmpty { newline(&output, options: options, level: level) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ output: inout [UInt8], options: Options, level: Int) {
        guard let indentation = options.indentation else { return }
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<indentation * level { output.append(UInt8(ascii: " ")) }
    }
}

extension JSONValue {
    /// Whether the value is an array or an object.
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
