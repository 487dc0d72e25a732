public import CairnCore

/// One rank's side of ``FSDPStrategy``: every parameter sharded on dim 0, gathered a unit at a time around its use,
/// gradients reduce-scattered into shards as each unit's backward completes.
///
/// The runtime owns this rank's shard of every parameter's values and gradient; the model's parameters hold full
/// values only while a unit is gathered. Its hooks, per ``ParameterUnit``:
///
/// | hook | what happens |
/// | --- | --- |
/// | `willUse(forward)` | gather: materialize and all-gather the unit (nothing if still gathered) |
/// | `didUse(forward)` | with `reshard_after_forward`, release it — deferred until the next gather, see below |
/// | `willUse(backward)` | gather again if it was released; its full gradients become resident |
/// | `gradientsReady` | reduce-scatter (sum) each full gradient into the shard gradient, adding to earlier micro-steps; free it |
/// | `didUse(backward)` | release the unit |
///
/// A unit released after forward is freed when the next unit is gathered, not at once. So the units whose forward
/// ends last — the head (or, for a tied model, the root whose hooks enclose all layers) and the last decoder
/// layer — are still resident when
/// backward begins and are not gathered a second time, as PyTorch FSDP2 leaves its root unsharded and torchtitan
/// exempts the last block; no more is ever resident than with an immediate release.
///
/// # Laws this runtime keeps
/// - **Identical start.** Every rank's model holds the same values when the runtime is made (the same seed or the
///   same pretrained weights); each rank copies its shard from its own copy, and `makeRuntime` checks a fingerprint
///   of keys, shapes and value bits across ranks (one small all-reduce).
/// - **Chunked rows.** Parameter `p` of `rows` rows lives on rank `r` as rows ``RowChunking/rows(ofRank:)``:
///   ⌈rows / W⌉ per rank, the last shards shorter or empty; pieces, optimizer shards and optimizer state all use
///   that `.rows` layout, and empty ones are 0-element pieces.
/// - **Complete gradients.** After the last micro-step each shard gradient is the sum over ranks and micro-steps:
///   every micro-step's reduce-scatter sums all ranks' gradients in rank order, the owner folding its running sum
///   into its own contribution, so the order of additions is fixed for a world size and
///   ``synchronizeGradients(_:)`` has nothing left to do.
/// - **Gradients as none.** ``finishStep(_:)`` frees the shard gradients (zero); the first reduce-scatter of the
///   next step allocates them, so between steps and early in backward only reduced units hold one.
/// - **No state.** The layout is a function of the world size, so the `strategy` namespace is empty and a checkpoint
///   reshards to any world size or strategy.
public final class FSDPRuntime: StrategyRuntime, MemoryAccounting {
    /// The options in force.
    public let configuration: FSDPStrategy.Configuration
    let communicator: any Communicator
    /// Every parameter, sorted by key.
    let shardedParameters: [ShardedParameter]
    /// The units in forward order, with their parameters and where they are in the gather/release cycle.
    var units: [UnitState]
    let unitIndex: [String: Int]
    let ledger = MemoryLedger()

    /// A unit and its place in the cycle.
    struct UnitState {
        var name: String
        var parameters: [ShardedParameter]
        /// Whether its full values are resident and current.
        var isGathered = false
        /// Whether its forward use ended under `reshard_after_forward`, so the next gather releases it.
        var isReleasePending = false
        /// Whether its backward use began and its gradients are not reduced yet.
        var awaitsGradients = false
    }

    init(
        configuration: FSDPStrategy.Configuration, communicator: any Communicator, parameters: [ShardedParameter],
        units: [(name: String, parameters: [ShardedParameter])]
    ) {
        self.configuration = configuration
        self.communicator = communicator
        shardedParameters = parameters
        self.units = units.map { UnitState(name: $0.name, parameters: $0.parameters) }
        unitIndex = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1.name, $0) })
        for parameter in parameters {
            ledger.changeParameters(by: parameter.shardBytes)
            // A plain ModelParameter cannot give its storage back: its full values (and gradient) stay resident.
            if !parameter.isReleasable {
                ledger.changeParameters(by: parameter.fullBytes)
                if parameter.isTrainable { ledger.changeGradients(by: parameter.fullBytes) }
            }
        }
        ledger.resetPeak()
    }

    // MARK: - StrategyRuntime

    public var parameterHooks: (any ParameterHooks)? { self }

    /// Does nothing: every unit's gradients were reduce-scattered into the shards by ``gradientsReady(_:step:)``
    /// as soon as its backward finished.
    public func synchronizeGradients(_ step: StepContext) async throws {
        for unit in units {
            precondition(!unit.awaitsGradients,
                         "FSDPRuntime: unit \(unit.name) began backward but its gradientsReady hook never came")
        }
    }

    /// The trainable parameters' shards as `.rows` pieces (0 elements on a rank past the last rows), with their
    /// gradients; a shard no gradient reached in this step gets a zeroed one.
    public func optimizerShards() throws -> [ParameterShard] {
        shardedParameters.filter(\.isTrainable).map { parameter in
            ParameterShard(key: parameter.key, layout: parameter.layout, values: parameter.values,
                           gradient: parameter.gradient(ledger: ledger))
        }
    }

    /// Releases any unit still gathered and frees the shard gradients (they read as zero from then on).
    public func finishStep(_ step: StepContext) async throws {
        for index in units.indices where units[index].isGathered {
            release(unit: index)
        }
        for parameter in shardedParameters where parameter.isTrainable {
            parameter.dropGradient(ledger: ledger)
        }
    }

    /// Every parameter's shard as a `.rows` piece viewing the runtime's live shard values: a load writes them, and
    /// the next gather spreads them to the model.
    public func parameterPieces() throws -> [ParameterPiece] {
        shardedParameters.map { ParameterPiece(key: $0.key, layout: $0.layout, values: $0.values) }
    }

    /// `fsdp2` keeps no state of its own: where each row lives follows from the world size.
    public func stateDict() throws -> StateDict { StateDict() }

    /// Accepts only the empty dict.
    /// - Throws: ``StateDictError`` `.unexpectedKey` for any key under `.strict`.
    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys([], options: options)
    }

    // MARK: - MemoryAccounting

    /// Padded shards of values and gradients, plus gathered units, full gradients not yet reduced and staging
    /// buffers of uneven collectives while they exist.
    public var memoryUsage: MemoryUsage { ledger.usage }

    public func resetPeakMemory() {
        ledger.resetPeak()
    }

    // MARK: - Unit cycle

    func gather(unit index: Int) async throws {
        for parameter in units[index].parameters {
            try await parameter.gather(using: communicator, ledger: ledger)
        }
        units[index].isGathered = true
        units[index].isReleasePending = false
    }

    func release(unit index: Int) {
        for parameter in units[index].parameters {
            parameter.release(ledger: ledger)
        }
        units[index].isGathered = false
        units[index].isReleasePending = false
    }

    /// Releases the units whose forward use ended under `reshard_after_forward`.
    func releasePendingUnits() {
        for index in units.indices where units[index].isReleasePending {
            release(unit: index)
        }
    }

    func index(of unit: ParameterUnit) -> Int {
        guard let index = unitIndex[unit.name] else {
            preconditionFailure("FSDPRuntime: unit \(unit.name) is not one of the model's units \(units.map(\.name))")
        }
        return index
    }
}
