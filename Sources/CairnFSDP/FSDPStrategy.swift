public import CairnCore

/// The `fsdp2` strategy: fully sharded data parallel in the manner of PyTorch FSDP2 (`fully_shard`).
///
/// Every parameter, trainable or frozen, is split on dim 0 across the ranks as `torch.chunk` splits it
/// (⌈rows / W⌉ rows per rank, the last shards shorter or empty; ``RowChunking``). Each rank keeps only its shard of
/// the values, of the gradients and — because the optimizer follows the shards' layouts — of the optimizer state.
/// A unit (the embedding, one decoder layer, or the final norm and head) is all-gathered just before the model uses it and freed after; its
/// gradients are reduce-scattered into the shards as soon as its backward completes, so about 1/W of the model
/// plus one unit in flight is resident (DESIGN.md §6). ``FSDPRuntime`` describes the cycle and its laws.
///
/// Cairn divides each micro-batch's loss by the global batch's loss-token count (DESIGN.md §5), so gradients are
/// **summed** across ranks, never averaged; on the embedded group the sum runs in rank order and is deterministic.
///
/// ```yaml
/// dist_config:
///   name: fsdp2
///   world_size: 4
///   reshard_after_forward: true   # default, as PyTorch FSDP2; false keeps gathered units from forward to backward
/// ```
public struct FSDPStrategy: DistStrategy {
    public static let kind: StrategyKind = "fsdp2"

    /// The options.
    public let configuration: Configuration

    /// Creates the strategy.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Makes this rank's runtime: checks that the model can be sharded and that every rank holds the same model,
    /// copies this rank's rows of every parameter, and releases the model's full values and gradients.
    ///
    /// - Throws: ``FSDPError`` `.unshardableParameter` for a 0-d parameter, `.invalidUnits` when the units do not
    ///   partition the parameters, `.divergentReplicas` when ranks hold different keys, shapes or values;
    ///   ``CommunicatorError`` from the fingerprint's all-reduce.
    /// > Important: every rank calls it with the same model structure; with several ranks it runs one all-reduce.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> FSDPRuntime {
        let parameters = model.parameters
        if let scalar = parameters.first(where: { $0.shape.isEmpty }) {
            throw FSDPError(.unshardableParameter, rank: context.rank, key: scalar.key,
                            "fsdp2 shards every parameter on dim 0, and this one is a 0-d scalar; give it shape [1]")
        }
        let unitKeys = try Self.unitKeys(model.units, parameters: parameters, rank: context.rank)
        if context.worldSize > 1 {
            try await ReplicaFingerprint.check(parameters, communicator: context.communicator)
        }
        let sharded = parameters.map { ShardedParameter($0, rank: context.rank, worldSize: context.worldSize) }
        for parameter in parameters {
            guard let releasable = parameter as? any ReleasableParameter else { continue }
            releasable.release()
            if releasable.isTrainable { releasable.releaseGradient() }
        }
        let byKey = Dictionary(uniqueKeysWithValues: sharded.map { ($0.key, $0) })
        let units = unitKeys.map { unit in (name: unit.name, parameters: unit.keys.compactMap { byKey[$0] }) }
        return FSDPRuntime(configuration: configuration, communicator: context.communicator, parameters: sharded,
                           units: units)
    }

    // MARK: - Private helpers

    /// The units' names and keys, after checking that they partition `parameters` and have distinct names.
    private static func unitKeys(
        _ units: [ParameterUnit], parameters: [any ModelParameter], rank: Int
    ) throws -> [(name: String, keys: [StateKey])] {
        let known = Set(parameters.map(\.key))
        var seen: Set<StateKey> = []
        var names: Set<String> = []
        for unit in units {
            guard names.insert(unit.name).inserted else {
                throw FSDPError(.invalidUnits, rank: rank, "two units are named '\(unit.name)'; unit names must be unique")
            }
            for key in unit.parameterKeys {
                guard known.contains(key) else {
                    throw FSDPError(.invalidUnits, rank: rank, key: key, "unit '\(unit.name)' names a parameter the model does not have")
                }
                guard seen.insert(key).inserted else {
                    throw FSDPError(.invalidUnits, rank: rank, key: key, "the parameter belongs to two units")
                }
            }
        }
        if let orphan = parameters.first(where: { !seen.contains($0.key) }) {
            throw FSDPError(.invalidUnits, rank: rank, key: orphan.key,
                            "the parameter belongs to no unit, so fsdp2 would never gather it")
        }
        return units.map { ($0.name, $0.parameterKeys) }
    }
}
