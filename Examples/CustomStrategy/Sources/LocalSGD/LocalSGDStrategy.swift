public import CairnCore

/// The `local_sgd` strategy: every rank steps its own replica on its own micro-batches, and the replicas are
/// averaged every `sync_every` optimizer steps (Stich, "Local SGD Converges Fast and Communicates Little", 2019).
///
/// It communicates `sync_every` times less than `ddp`, at the price of replicas that drift apart between
/// synchronizations. Each rank keeps its own optimizer state, which is never averaged.
///
/// ```yaml
/// dist_config:
///   name: local_sgd
///   world_size: 2
///   sync_every: 4
/// ```
///
/// **How it relates to `single`.** Cairn divides each micro-batch's loss by the token count of the *global* batch,
/// so a rank's gradient is its share of the global gradient, and the shares sum to it. Local SGD scales its
/// share by the world size, making it an estimate of the whole gradient from the rank's own data. With
/// `sync_every: 1`, plain or momentum SGD and no clipping, the average of the replicas after each step is then
/// exactly `single`'s update (SGD is linear in the gradient); the conformance test proves that parity. With AdamW,
/// clipping, or longer intervals it is a different algorithm, and only the exact-resume laws apply.
///
/// **Why it cannot reshard** (``supportsReshardedResume`` is `false`). Between synchronizations the replicas and
/// their optimizer moments differ per rank, so a checkpoint holds one copy per rank: stacked tensors whose first
/// dimension is the world size (see ``LocalSGDRuntime``). Resuming on another number of ranks would have to
/// invent replicas for new ranks or drop those of missing ones, which changes the run; Cairn refuses such a
/// resume with `CheckpointError.incompatible` instead.
public struct LocalSGDStrategy: DistStrategy {
    /// The options under `dist_config`.
    public struct Configuration: Decodable, Sendable, Hashable {
        /// Optimizer steps between two averagings of the replicas (at least 1; default 4).
        public var syncEvery: Int

        /// Creates options.
        public init(syncEvery: Int = 4) {
            self.syncEvery = syncEvery
        }

        enum CodingKeys: String, CodingKey {
            case syncEvery = "sync_every"
        }

        /// Decodes `sync_every`.
        /// - Throws: ``ConfigurationError`` `.outOfRange` naming `dist_config.sync_every` when it is below 1.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(syncEvery: try container.decodeIfPresent(Int.self, forKey: .syncEvery) ?? 4)
            try validate()
        }

        /// Checks the options.
        /// - Throws: ``ConfigurationError`` `.outOfRange` naming `dist_config.sync_every` when it is below 1.
        public func validate() throws(ConfigurationError) {
            guard syncEvery >= 1 else {
                throw ConfigurationError(.outOfRange, keyPath: "dist_config.sync_every",
                                         "sync_every must be at least 1 optimizer step, found \(syncEvery)")
            }
        }
    }

    public static let kind: StrategyKind = "local_sgd"

    /// `false`: a checkpoint holds one replica per rank, stacked along a first dimension of the world size.
    public static var supportsReshardedResume: Bool { false }

    /// The options.
    public let configuration: Configuration

    /// Creates the strategy.
    /// - Throws: ``ConfigurationError`` `.outOfRange` when `sync_every` is below 1.
    public init(configuration: Configuration = Configuration()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Makes the runtime; rank 0's parameters are broadcast so every replica starts from the same weights.
    /// - Throws: ``CommunicatorError`` when the broadcast fails.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> LocalSGDRuntime {
        for parameter in model.parameters where context.worldSize > 1 {
            try await context.communicator.broadcast(parameter.values, root: 0)
        }
        return LocalSGDRuntime(model: model, communicator: context.communicator, syncEvery: configuration.syncEvery)
    }
}
