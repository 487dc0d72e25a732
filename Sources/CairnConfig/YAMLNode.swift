public import CairnCore

/// A node of a parsed YAML document: a scalar, a sequence or a mapping, with the position it came from.
///
/// Nodes are immutable, so an alias (`*base`) shares its anchor's node safely and a tree can cross threads.
/// Scalars keep their text untyped; ``YAMLDecoder`` types them by the YAML 1.2 core schema (see ``CoreSchema``).
public final class YAMLNode: Sendable, CustomStringConvertible {
    /// What a node holds.
    public enum Kind: Sendable {
        /// A scalar's text and whether it was written plain (unquoted, not a block scalar): only plain scalars
        /// can be null, booleans or numbers.
        case scalar(String, isPlain: Bool)
        /// A sequence's items in order.
        case sequence([YAMLNode])
        /// A mapping's key/value pairs in document order (keys are unique scalars when parsed from YAML).
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// Where the node starts in the user's input (for a mapping or sequence, its first token).
    public let position: InputPosition
    /// The node's content.
    public let kind: Kind
    /// The number of nodes in this subtree with aliases expanded (saturating); bounds decoding work.
    let expandedSize: Int
    /// The nesting depth of this subtree (a scalar is 1).
    let depth: Int

    // MARK: - Initializers

    /// Creates a node.
    public init(_ kind: Kind, position: InputPosition) {
        self.kind = kind
        self.position = position
        switch kind {
        case .scalar:
            expandedSize = 1
            depth = 1
        case .sequence(let items):
            expandedSize = items.reduce(1) { YAMLNode.saturatingAdd($0, $1.expandedSize) }
            depth = 1 + (items.map(\.depth).max() ?? 0)
        case .mapping(let pairs):
            expandedSize = pairs.reduce(1) {
                YAMLNode.saturatingAdd($0, YAMLNode.saturatingAdd($1.key.expandedSize, $1.value.expandedSize))
            }
            depth = 1 + (pairs.map { max($0.key.depth, $0.value.depth) }.max() ?? 0)
        }
    }

    /// Creates a scalar node.
    public convenience init(scalar text: String, isPlain: Bool = true, position: InputPosition) {
        self.init(.scalar(text, isPlain: isPlain), position: position)
    }

    /// Creates an empty mapping, the node an empty document stands for.
    public static func emptyMapping(at position: InputPosition) -> YAMLNode {
        YAMLNode(.mapping([]), position: position)
    }

    // MARK: - Public API

    /// The value for the scalar key `key` when this node is a mapping, else `nil`.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = kind else { return nil }
        return pairs.first { $0.key.scalarText == key }?.value
    }

    /// The scalar's text, or `nil` for a sequence or mapping.
    public var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// Whether this node is a plain scalar the core schema reads as null (`null`, `~`, empty, …).
    public var isNull: Bool {
        if case .scalar(let text, let isPlain) = kind { return isPlain && CoreSchema.isNull(text) }
        return false
    }

    /// The pairs when this node is a mapping, else `nil`.
    public var mappingPairs: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The items when this node is a sequence, else `nil`.
    public var sequenceItems: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// A short phrase naming what the node is, for error messages: `"abc"`, `the integer 3`, `a mapping`.
    public var summary: String {
        switch kind {
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        case .scalar(let text, let isPlain):
            let shown = YAMLNode.quoted(text)
            guard isPlain else { return "the quoted string \(shown)" }
            switch CoreSchema.resolve(text) {
            case .null: return "null"
            case .bool: return "the boolean \(text)"
            case .int: return "the integer \(text)"
            case .float: return "the number \(text)"
            case .string: return shown
            }
        }
    }

    /// The node in flow style (`{a: 1, b: [x, "y"]}`), for messages and debugging.
    public var description: String {
        switch kind {
        case .scalar(let text, let isPlain):
            return isPlain ? text : YAMLNode.quoted(text, limit: Int.max)
        case .sequence(let items):
            return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        }
    }

    // MARK: - Helpers

    /// `text` in double quotes with quotes, backslashes and control characters escaped, shortened to `limit`.
    static func quoted(_ text: String, limit: Int = 40) -> String {
        var shown = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                shown += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": shown += "\\\""
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\t": shown += "\\t"
            case "\r": shown += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    shown += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    shown.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"" + shown + "\""
    }

    static func saturatingAdd(_ lhs: Int, _ rhs: Int) -> Int {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        return overflow ? Int.max : sum
    }
}
