/// Stable text forms of configuration values, for hashing and for comparing two configurations.
///
/// Equal meanings give equal text: plain scalars are typed by the core schema (`1e-4`, `0.0001` and `1.0e-4` all
/// become `0.0001`; `0x10` becomes `16`), strings are double-quoted, mapping keys are sorted.
enum CanonicalText {
    /// A double as Swift prints it (the shortest text that reads back to the same value), `.inf`, `-.inf`, `.nan`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        return "\(value)"
    }

    /// A string, double-quoted and escaped.
    static func string(_ value: String) -> String {
        YAMLNode.quoted(value, limit: Int.max)
    }

    /// An optional value's text, `null` when absent.
    static func optional<T>(_ value: T?, _ render: (T) -> String) -> String {
        value.map(render) ?? "null"
    }

    /// A node in canonical flow form.
    static func node(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar(let text, let isPlain):
            guard isPlain else { return string(text) }
            switch CoreSchema.resolve(text) {
            case .null: return "null"
            case .bool(let value): return value ? "true" : "false"
            case .int(let value?): return "\(value)"
            case .int(nil): return text
            case .float(let value): return number(value)
            case .string(let value): return string(value)
            }
        case .sequence(let items):
            return "[" + items.map(Self.node).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            let entries = pairs.map { (key: Self.node($0.key), value: Self.node($0.value)) }
                .sorted { $0.key < $1.key }
            return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// The 64-bit FNV-1a hash of `text`'s UTF-8 bytes (process-independent, unlike `Hasher`).
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
