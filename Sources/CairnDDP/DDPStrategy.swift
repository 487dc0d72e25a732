public import CairnCore

/// The `ddp` strategy: every rank holds the whole model and optimizer; gradients are all-reduced in buckets once
/// per optimizer step, after the last micro-step of gradient accumulation (PyTorch's `DistributedDataParallel`
/// with `no_sync` on the earlier micro-steps).
///
/// Cairn divides each micro-batch's loss by the loss-token count of the whole global batch (DESIGN.md §5), so the
/// gradient of the global loss is the **sum** of the ranks' gradients; that equals PyTorch's mean of per-rank
/// gradients of per-rank-mean losses when every rank holds the same number of tokens, and stays exact when they
/// do not. The sum runs in rank order on the embedded group, so it is deterministic.
///
/// ```yaml
/// dist_config:
///   name: ddp
///   world_size: 4
///   bucket_cap_mb: 25      # gradient bytes per all-reduce, as in PyTorch
/// ```
public struct DDPStrategy: DistStrategy {
    /// The options under `dist_config`.
    public struct Configuration: Decodable, Sendable, Hashable {
        /// The most gradient bytes one all-reduce carries, in MiB (PyTorch's `bucket_cap_mb`, default 25).
        public var bucketCapMB: Double

        /// Creates options.
        public init(bucketCapMB: Double = 25) {
            self.bucketCapMB = bucketCapMB
        }

        enum CodingKeys: String, CodingKey {
            case bucketCapMB = "bucket_cap_mb"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            bucketCapMB = try container.decodeIfPresent(Double.self, forKey: .bucketCapMB) ?? 25
            guard bucketCapMB > 0, bucketCapMB.isFinite else {
                throw ConfigurationError(.outOfRange, keyPath: "dist_config.bucket_cap_mb",
                                         "bucket_cap_mb must be a positive number of MiB, found \(bucketCapMB)")
            }
        }
    }

    public static let kind: StrategyKind = "ddp"

    /// The options.
    public let configuration: Configuration

    /// Creates the strategy.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Makes the runtime; rank 0's parameters are broadcast so every replica starts identical, as PyTorch DDP does.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> DDPRuntime {
        for parameter in model.parameters where context.worldSize > 1 {
            try await context.communicator.broadcast(parameter.values, root: 0)
        }
        return DDPRuntime(model: model, communicator: context.communicator,
                          bucketCapBytes: Int(configuration.bucketCapMB * 1_048_576))
    }
}
