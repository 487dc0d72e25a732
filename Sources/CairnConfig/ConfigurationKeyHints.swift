/// A `Decodable` type that explains some keys it does not accept, instead of a plain "unknown key".
///
/// ``YAMLDecoder`` asks the decoded type for a hint when it reports an unknown key of that type's mapping:
/// ```swift
/// extension Options: ConfigurationKeyHints {
///     static func hint(forUnknownKey key: String) -> String? {
///         key == "bf16" ? "Cairn computes in float32; remove the key" : nil
///     }
/// }
/// ```
public protocol ConfigurationKeyHints {
    /// Why `key` is not accepted and what to write instead, or `nil` for a plain unknown-key error.
    static func hint(forUnknownKey key: String) -> String?
}
