/// The strategies a run may select, by kind.
///
/// Registration is explicit and value-typed: the executable lists what it offers, tests build their own
/// registries, and nothing is registered behind the user's back. `Cairn` provides `StrategyRegistry.builtIn`.
///
/// ```swift
/// var strategies = StrategyRegistry.builtIn
/// try strategies.register(LocalSGDStrategy.self)
/// ```
public struct StrategyRegistry: Sendable {
    /// Decodes a strategy's options and makes it.
    public typealias Factory = @Sendable (any Decoder) throws -> any DistStrategy

    private var factories: [StrategyKind: Factory] = [:]
    private var reshardable: Set<StrategyKind> = []

    /// Creates an empty registry.
    public init() {}

    /// Registers `strategy` under its kind.
    /// - Throws: ``RegistryError`` `.duplicateKind` when the kind is taken.
    public mutating func register<Strategy: DistStrategy>(_ strategy: Strategy.Type) throws(RegistryError) {
        guard factories[Strategy.kind] == nil else {
            throw RegistryError(.duplicateKind, kind: Strategy.kind.name, "a strategy of this kind is already registered")
        }
        factories[Strategy.kind] = { decoder in
            try Strategy(configuration: Strategy.Configuration(from: decoder))
        }
        if Strategy.supportsReshardedResume { reshardable.insert(Strategy.kind) }
    }

    /// Whether the strategy of `kind` is registered and declares ``DistStrategy/supportsReshardedResume``.
    public func supportsReshardedResume(_ kind: StrategyKind) -> Bool {
        reshardable.contains(kind)
    }

    /// The registered kinds, sorted.
    public var kinds: [StrategyKind] { factories.keys.sorted() }

    /// Whether `kind` is registered.
    public func contains(_ kind: StrategyKind) -> Bool { factories[kind] != nil }

    /// Makes the strategy of `kind`, decoding its options from `decoder`.
    /// - Throws: ``RegistryError`` `.unknownKind` (listing the known kinds), or the options' decoding error.
    public func makeStrategy(_ kind: StrategyKind, from decoder: any Decoder) throws -> any DistStrategy {
        guard let factory = factories[kind] else {
            let known = kinds.map(\.name).joined(separator: ", ")
            throw RegistryError(.unknownKind, kind: kind.name, "no such strategy; registered strategies: \(known)")
        }
        return try factory(decoder)
    }
}
