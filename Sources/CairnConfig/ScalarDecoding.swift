import CairnCore

/// Converts scalar nodes to Swift's primitive types by the core schema (see ``CoreSchema``).
///
/// Quoted scalars are strings only; integers widen to floating point, never the reverse; booleans come only
/// from boolean scalars. Every failure is a ``ConfigurationError`` at the node with its key path.
enum ScalarDecoding {
    // MARK: - Dispatch

    /// Decodes `type` directly when it is a primitive (String, Bool, a fixed-width integer, Double, Float).
    static func primitive<T>(_ type: T.Type, from node: YAMLNode, path: String) throws(ConfigurationError) -> T? {
        if type == String.self { return try string(from: node, path: path) as? T }
        if type == Bool.self { return try bool(from: node, path: path) as? T }
        if type == Double.self { return try double(from: node, path: path) as? T }
        if type == Float.self { return try float(from: node, path: path) as? T }
        if type == Int.self { return try integer(Int.self, from: node, path: path) as? T }
        if type == Int64.self { return try integer(Int64.self, from: node, path: path) as? T }
        if type == Int32.self { return try integer(Int32.self, from: node, path: path) as? T }
        if type == Int16.self { return try integer(Int16.self, from: node, path: path) as? T }
        if type == Int8.self { return try integer(Int8.self, from: node, path: path) as? T }
        if type == UInt.self { return try integer(UInt.self, from: node, path: path) as? T }
        if type == UInt64.self { return try integer(UInt64.self, from: node, path: path) as? T }
        if type == UInt32.self { return try integer(UInt32.self, from: node, path: path) as? T }
        if type == UInt16.self { return try integer(UInt16.self, from: node, path: path) as? T }
        if type == UInt8.self { return try integer(UInt8.self, from: node, path: path) as? T }
        return nil
    }

    // MARK: - Conversions

    /// Any non-null scalar's text.
    static func string(from node: YAMLNode, path: String) throws(ConfigurationError) -> String {
        guard case .scalar(let text, let isPlain) = node.kind, !(isPlain && CoreSchema.isNull(text)) else {
            throw wrongType(expected: "a string", node: node, path: path)
        }
        return text
    }

    /// A boolean scalar's value.
    static func bool(from node: YAMLNode, path: String) throws(ConfigurationError) -> Bool {
        guard case .scalar(let text, true) = node.kind, case .bool(let value) = CoreSchema.resolve(text) else {
            throw wrongType(expected: "a boolean (true or false)", node: node, path: path)
        }
        return value
    }

    /// An integer scalar's value, checked against `Integer`'s range.
    static func integer<Integer: FixedWidthInteger>(
        _ type: Integer.Type, from node: YAMLNode, path: String
    ) throws(ConfigurationError) -> Integer {
        guard case .scalar(let text, true) = node.kind, case .int(let parsed) = CoreSchema.resolve(text) else {
            throw wrongType(expected: "an integer", node: node, path: path)
        }
        guard let wide = parsed else {
            // Beyond Int64: only a UInt64 may still hold it.
            if Integer.self == UInt64.self || Integer.self == UInt.self, let value = UInt64(text) {
                return Integer(truncatingIfNeeded: value)
            }
            throw outOfRange(text, type: Integer.self, node: node, path: path)
        }
        guard let value = Integer(exactly: wide) else {
            throw outOfRange(text, type: Integer.self, node: node, path: path)
        }
        return value
    }

    /// A number scalar's value: a float, or an integer widened to `Double`.
    static func double(from node: YAMLNode, path: String) throws(ConfigurationError) -> Double {
        guard case .scalar(let text, true) = node.kind else {
            throw wrongType(expected: "a number", node: node, path: path)
        }
        switch CoreSchema.resolve(text) {
        case .float(let value):
            guard !value.isInfinite || !isFiniteNotation(text) else {
                throw ConfigurationError(
                    .outOfRange, keyPath: path, position: node.position,
                    "\(text) is too large for a 64-bit floating-point number")
            }
            return value
        case .int(let value?):
            return Double(value)
        case .int(nil):
            // A decimal too long for Int64 still reads as a double; hexadecimal or octal this long is an error.
            if let value = Double(text), value.isFinite { return value }
            throw ConfigurationError(
                .outOfRange, keyPath: path, position: node.position, "\(text) is too large for a number")
        default:
            throw wrongType(expected: "a number", node: node, path: path)
        }
    }

    /// A number scalar's value as `Float`, refusing values `Float` cannot hold.
    static func float(from node: YAMLNode, path: String) throws(ConfigurationError) -> Float {
        let value = try double(from: node, path: path)
        let narrowed = Float(value)
        guard narrowed.isFinite || !value.isFinite else {
            throw ConfigurationError(
                .outOfRange, keyPath: path, position: node.position,
                "\(node.scalarText ?? "") is too large for a 32-bit floating-point number")
        }
        return narrowed
    }

    // MARK: - Errors

    /// The `.wrongType` error: `expected an integer, found "abc"`.
    static func wrongType(expected: String, node: YAMLNode, path: String) -> ConfigurationError {
        ConfigurationError(
            .wrongType, keyPath: path, position: node.position, "expected \(expected), found \(node.summary)")
    }

    private static func outOfRange<Integer: FixedWidthInteger>(
        _ text: String, type: Integer.Type, node: YAMLNode, path: String
    ) -> ConfigurationError {
        ConfigurationError(
            .outOfRange, keyPath: path, position: node.position,
            "\(text) is out of range for \(Integer.self) (\(Integer.min)…\(Integer.max))")
    }

    /// Whether `text` is written as a finite number (so an infinite result means overflow, not `.inf`).
    private static func isFiniteNotation(_ text: String) -> Bool {
        !text.lowercased().hasSuffix(".inf")
    }
}
