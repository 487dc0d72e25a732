public import CairnCore
import CairnNN

/// LoRA composed with a distribution strategy (`peft_config: {name: lora}` beside `dist_config: {name: …}`):
/// it attaches adapters to the model and freezes the base, then lets the wrapped strategy place, synchronize and
/// step what is left trainable — so LoRA works under `single`, `ddp`, `fsdp2` and `zero` alike, with no gradient
/// traffic and no optimizer state for the frozen base.
///
/// The trainer builds it from the two config sections; it is not selected by `dist_config.name`. Checkpoints
/// record the wrapped strategy's kind and the PEFT options, and hold only the adapters (the base comes from the
/// `model` folder, identified by its fingerprint).
public struct LoRAStrategy: DistStrategy {
    public typealias Configuration = LoRAConfiguration

    public static let kind: StrategyKind = "lora"

    /// The LoRA options.
    public let configuration: LoRAConfiguration
    /// The strategy that places the model.
    public let inner: (any DistStrategy)?
    /// A PEFT adapter folder whose weights the adapters start from, instead of PEFT's initialisation.
    public let initialAdapter: String?

    /// Creates LoRA without a strategy to wrap; ``makeRuntime(for:context:)`` then refuses to run.
    public init(configuration: LoRAConfiguration) {
        self.configuration = configuration
        self.inner = nil
        self.initialAdapter = nil
    }

    /// Creates LoRA wrapping `inner`, starting from the adapter in `initialAdapter` when given.
    public init(wrapping inner: any DistStrategy, configuration: LoRAConfiguration, initialAdapter: String? = nil) {
        self.configuration = configuration
        self.inner = inner
        self.initialAdapter = initialAdapter
    }

    /// Attaches the adapters (initialised from the run's seed; dropout drawing from the model's `randomness`),
    /// freezes the base, and makes the wrapped strategy's runtime.
    /// - Throws: ``ConfigurationError`` for a model LoRA cannot adapt, a target that matches nothing, or no strategy.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> LoRARuntime {
        guard let inner else {
            throw ConfigurationError(.invalidValue, keyPath: "peft_config",
                                     "lora composes with the dist_config strategy; it cannot run alone")
        }
        guard let qwen = model as? Qwen3ForCausalLM else {
            throw ConfigurationError(.invalidValue, keyPath: "peft_config", "lora needs a Qwen3ForCausalLM model")
        }
        try qwen.attachLoRA(
            targets: configuration.targetModules, rank: configuration.rank, alpha: configuration.alpha,
            dropout: configuration.dropout, seed: context.seed, randomness: qwen.randomness)
        // Before the wrapped strategy shards anything: it copies its pieces out of the whole tensors.
        if let initialAdapter { try qwen.loadAdapters(fromFolder: initialAdapter) }
        return LoRARuntime(inner: try await inner.makeRuntime(for: model, context: context))
    }
}

/// The runtime of ``LoRAStrategy``: the wrapped strategy's runtime, which already sees only the adapters as trainable.
public final class LoRARuntime: StrategyRuntime {
    /// The wrapped strategy's runtime.
    public let inner: any StrategyRuntime

    init(inner: any StrategyRuntime) {
        self.inner = inner
    }

    public var parameterHooks: (any ParameterHooks)? { inner.parameterHooks }

    public func synchronizeGradients(_ step: StepContext) async throws {
        try await inner.synchronizeGradients(step)
    }

    public func optimizerShards() throws -> [ParameterShard] {
        try inner.optimizerShards()
    }

    public func finishStep(_ step: StepContext) async throws {
        try await inner.finishStep(step)
    }

    public func parameterPieces() throws -> [ParameterPiece] {
        try inner.parameterPieces()
    }

    public func stateDict() throws -> StateDict {
        try inner.stateDict()
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try inner.loadStateDict(dict, options: options)
    }
}
