public import CairnCore

/// The `zero` strategy: DeepSpeed's Zero Redundancy Optimizer, stages 1, 2 and 3, on flat partitions.
///
/// Every rank concatenates the trainable parameters in canonical key order into one flat vector of `N` elements
/// and owns the `r`-th of `W` equal partitions of `P = ⌈N / W⌉` elements (``FlatPartition``); its optimizer updates
/// exactly that partition, as pieces `.elements(range)` of the parameters it meets — one parameter may span
/// several ranks. What else is partitioned depends on the ``ZeROStage``:
/// - **Stage 1** keeps whole parameters and gradients on every rank; gradients are all-reduced (summed) after the
///   last micro-step, the optimizer updates the rank's partition, and the updated partitions are all-gathered so
///   every replica holds the new parameters.
/// - **Stage 2** also partitions gradients: as soon as a unit's gradients are complete in a micro-step they are
///   reduce-scattered into the ranks' flat gradient partitions (accumulating across micro-steps) and released, so
///   no rank ever holds the whole model's gradients; then as stage 1.
/// - **Stage 3** also partitions parameters: each rank keeps only its flat partition of the values, and a unit is
///   all-gathered before the model uses it (forward and backward) and released after. Frozen parameters (LoRA's
///   base weights) get a flat partition of their own, gathered with their unit and never reduced or optimized, so
///   the frozen bulk of a model shrinks by `W` too; at stages 1–2 frozen parameters stay whole on every rank.
///
/// Cairn divides each micro-batch's loss by the global batch's loss-token count (DESIGN.md §5), so gradients are
/// **summed** across ranks, in rank order on the embedded group: runs are deterministic, and match `single` within
/// float reduction-order tolerance. Checkpoints hold each parameter's and optimizer slot's pieces under canonical
/// keys (`.replicated` model pieces at stages 1–2, `.elements` at stage 3), so any checkpoint resumes at any world
/// size and under any strategy.
///
/// ```yaml
/// dist_config:
///   name: zero
///   world_size: 4
///   stage: 2
/// ```
public struct ZeROStrategy: DistStrategy {
    public static let kind: StrategyKind = "zero"

    /// The options.
    public let configuration: Configuration

    /// Creates the strategy.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Makes this rank's runtime.
    ///
    /// At stages 1–2 rank 0's parameters are broadcast so every replica starts identical (as DeepSpeed does); at
    /// stage 3 each rank copies its own partition out of the model it was given and releases the whole values.
    /// - Throws: ``ConfigurationError`` `.invalidValue` at stage 3 when a parameter belongs to no unit or to two
    ///   (it could never be gathered); the communicator's error if the broadcast fails.
    public func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> ZeRORuntime {
        let parameters = model.parameters
        let units = model.units
        if configuration.stage == .parameters {
            try Self.checkUnitsPartition(parameters, units)
        } else if context.worldSize > 1 {
            for parameter in parameters {
                try await context.communicator.broadcast(parameter.values, root: 0)
            }
        }
        return ZeRORuntime(parameters: parameters, units: units, configuration: configuration,
                           communicator: context.communicator)
    }

    // MARK: - Private helpers

    /// Stage 3 can only gather a parameter through its unit: every parameter must be in exactly one.
    private static func checkUnitsPartition(_ parameters: [any ModelParameter], _ units: [ParameterUnit]) throws {
        var owners: [StateKey: String] = [:]
        for unit in units {
            for key in unit.parameterKeys {
                if let other = owners.updateValue(unit.name, forKey: key) {
                    throw ConfigurationError(
                        .invalidValue, keyPath: "dist_config.stage",
                        "ZeRO stage 3 gathers parameters by unit, but \(key) is in two units (\(other), \(unit.name))")
                }
            }
        }
        if let orphan = parameters.first(where: { owners[$0.key] == nil }) {
            throw ConfigurationError(
                .invalidValue, keyPath: "dist_config.stage",
                "ZeRO stage 3 gathers parameters by unit, but \(orphan.key) is in none of the model's units")
        }
    }
}
