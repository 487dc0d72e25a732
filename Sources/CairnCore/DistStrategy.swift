/// A distribution strategy: a `Sendable` description, made from its YAML section, that makes one
/// ``StrategyRuntime`` per rank.
///
/// Cairn ships `single`, `ddp`, `fsdp2` and `zero`; a third party writes its own in a module that imports only
/// `CairnCore`, registers it in a ``StrategyRegistry``, and proves it with `StrategyConformance`.
///
/// # Semantic requirements
/// - ``kind`` is unique within a registry and is the `name` users write under `dist_config`.
/// - ``init(configuration:)`` validates the options and throws ``ConfigurationError`` naming the key.
/// - ``makeRuntime(for:context:)`` is called by every rank with the same model structure; it may run collectives
///   (to shard or broadcast parameters), and throws ``ConfigurationError`` for a world size it cannot run on.
/// - Its runtimes keep the ``StrategyRuntime`` laws.
///
/// ```swift
/// struct LocalSGDStrategy: DistStrategy {
///     struct Configuration: Decodable, Sendable { var syncEvery = 4
///         enum CodingKeys: String, CodingKey { case syncEvery = "sync_every" } }
///     static let kind: StrategyKind = "local_sgd"
///     let configuration: Configuration
///     init(configuration: Configuration) throws { self.configuration = configuration }
///     func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> Runtime { … }
/// }
/// ```
public protocol DistStrategy: Sendable {
    /// The options under `dist_config`, decoded with snake_case keys; unknown keys are errors.
    associatedtype Configuration: Decodable & Sendable
    /// The per-rank runtime.
    associatedtype Runtime: StrategyRuntime

    /// The name that selects this strategy in YAML.
    static var kind: StrategyKind { get }

    /// Whether a checkpoint saved under this strategy may resume at another world size or under another
    /// strategy, and this strategy may resume one saved elsewhere. Defaults to `true`.
    static var supportsReshardedResume: Bool { get }

    /// Creates the strategy from validated options.
    init(configuration: Configuration) throws

    /// Makes this rank's runtime for `model`.
    func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> Runtime
}

extension DistStrategy {
    public static var supportsReshardedResume: Bool { true }
}
