public import CairnCore

/// The `single` strategy: one rank holds the whole model, its gradients and its optimizer state.
///
/// It is the reference every other strategy is measured against (`StrategyConformance` parity law).
///
/// ```yaml
/// dist_config:
///   name: single
/// ```
public struct SingleDeviceStrategy: DistStrategy {
    /// `single` has no options; any key under `dist_config` besides `name` is an error.
    public struct Configuration: Decodable, Sendable, Hashable {
        /// Creates the (empty) configuration.
        public init() {}

        public init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: NoKeys.self)
        }

        private enum NoKeys: CodingKey {}
    }

    public static let kind: StrategyKind = "single"

    /// Creates the strategy.
    public init(configuration: Configuration = Configuration()) {}

    /// Makes the runtime.
    /// - Throws: ``ConfigurationError`` `.invalidValue` when the world size is not 1.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> SingleDeviceRuntime {
        guard context.worldSize == 1 else {
            throw ConfigurationError(
                .invalidValue, keyPath: "dist_config.world_size",
                "strategy 'single' runs on one rank, not \(context.worldSize); choose ddp, fsdp2 or zero for several ranks")
        }
        return SingleDeviceRuntime(model: model)
    }
}

/// The runtime of ``SingleDeviceStrategy``: whole parameters, nothing to synchronize.
public final class SingleDeviceRuntime: StrategyRuntime {
    private let parameters: [any ModelParameter]
    private let trainable: [any ModelParameter]

    init(model: any ParameterTree) {
        self.parameters = model.parameters
        self.trainable = parameters.filter(\.isTrainable)
    }

    public var parameterHooks: (any ParameterHooks)? { nil }

    public func synchronizeGradients(_ step: StepContext) async throws {}

    public func optimizerShards() throws -> [ParameterShard] {
        trainable.map(\.replicatedShard)
    }

    public func finishStep(_ step: StepContext) async throws {
        for parameter in trainable { parameter.gradient.update(repeating: 0) }
    }

    public func parameterPieces() throws -> [ParameterPiece] {
        parameters.map(\.replicatedPiece)
    }

    /// `single` keeps no state of its own.
    public func stateDict() throws -> StateDict { StateDict() }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys([], options: options)
    }
}
