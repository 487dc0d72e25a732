/// A canonical, dotted name of one piece of training state, such as
/// `optimizer.state.model.layers.0.mlp.up_proj.weight.exp_avg`.
///
/// # Semantic requirements
/// - **Canonical.** A key never encodes a rank, a world size, a shard index or a wrapper prefix. The layout of a
///   value travels with the value (``TensorLayout``), so a checkpoint written by 4 ranks resumes on 2.
/// - **Namespaced.** The first component is one of the fixed ``StateNamespace`` names.
/// - **Ordered.** Keys compare by their UTF-8 bytes, so a sorted ``StateDict`` serializes identically everywhere.
public struct StateKey: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The dotted text of the key.
    public let rawValue: String

    /// Creates a key from its dotted text.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Creates a key by joining components with dots.
    public init(components: some Sequence<String>) {
        self.init(components.joined(separator: "."))
    }

    /// The dot-separated components.
    public var components: [Substring] { rawValue.split(separator: ".", omittingEmptySubsequences: false) }

    /// The first component: the namespace for a full key.
    public var first: Substring { rawValue.prefix { $0 != "." } }

    /// The key with `suffix` appended after a dot (or `suffix` alone when this key is empty).
    public func appending(_ suffix: StateKey) -> StateKey {
        rawValue.isEmpty ? suffix : StateKey(rawValue + "." + suffix.rawValue)
    }

    /// The key with `suffix` appended after a dot.
    public func appending(_ suffix: String) -> StateKey {
        appending(StateKey(suffix))
    }

    /// Whether this key equals `prefix` or starts with `prefix` followed by a dot.
    public func hasPrefix(_ prefix: StateKey) -> Bool {
        guard rawValue.utf8.starts(with: prefix.rawValue.utf8) else { return false }
        let rest = rawValue.utf8.dropFirst(prefix.rawValue.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ".") || prefix.rawValue.isEmpty
    }

    /// The key relative to `prefix`, or `nil` when it is not under `prefix`.
    public func removingPrefix(_ prefix: StateKey) -> StateKey? {
        guard hasPrefix(prefix) else { return nil }
        if prefix.rawValue.isEmpty { return self }
        let dropped = rawValue.utf8.count == prefix.rawValue.utf8.count ? "" : String(rawValue.dropFirst(prefix.rawValue.count + 1))
        return StateKey(dropped)
    }

    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    public var description: String { rawValue }
}

/// The fixed top-level namespaces of the state graph (DESIGN.md §7). Adding one needs a proposal.
public enum StateNamespace: String, CaseIterable, Sendable {
    case model
    case optimizer
    case lrScheduler = "lr_scheduler"
    case dataloader
    case rng
    case trainState = "train_state"
    case strategy

    /// The namespace as a key prefix.
    public var key: StateKey { StateKey(rawValue) }
}
