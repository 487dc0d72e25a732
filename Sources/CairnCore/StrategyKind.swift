/// The name that selects a strategy in YAML: `dist_config: {name: ddp}` selects the strategy whose kind is `ddp`.
public struct StrategyKind: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as written in configuration.
    public let name: String

    /// Creates a kind.
    public init(_ name: String) {
        self.name = name
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public static func < (lhs: StrategyKind, rhs: StrategyKind) -> Bool { lhs.name < rhs.name }

    public var description: String { name }
}
