public import CairnCore

/// A decoded value together with where it was written, so later checks can point at it.
///
/// ```swift
/// let rate = try container.decode(PositionedValue<Double>.self, forKey: .learningRate)
/// guard rate.value > 0 else { throw ConfigurationError(.outOfRange, keyPath: rate.keyPath,
///                                                      position: rate.position, "must be > 0") }
/// ```
/// With a decoder other than ``YAMLDecoder`` the position is `nil`.
public struct PositionedValue<Value: Decodable>: Decodable {
    /// The value.
    public var value: Value
    /// Where the value starts in the user's input.
    public var position: InputPosition?
    /// The dotted key path of the value.
    public var keyPath: String

    /// Creates a positioned value.
    public init(value: Value, position: InputPosition?, keyPath: String) {
        self.value = value
        self.position = position
        self.keyPath = keyPath
    }

    /// Decodes the value and, from ``YAMLDecoder``, its position and key path.
    /// - Throws: whatever decoding `Value` throws.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Value.self)
        if let yaml = decoder as? YAMLNodeDecoder {
            position = yaml.node.position
            keyPath = yaml.path
        } else {
            position = nil
            keyPath = KeyPathText.render(decoder.codingPath)
        }
    }
}

extension PositionedValue: Sendable where Value: Sendable {}
