public import CairnCore

/// One rank's side of ``ZeROStrategy``: its flat partition of the optimizer's parameters, and — by stage — its
/// partition of the gradients and of the parameter values.
///
/// The laws it keeps, beyond ``StrategyRuntime``'s:
/// - **Every rank lists every parameter.** ``optimizerShards()`` (and, at stage 3, ``parameterPieces()``) hold one
///   piece per parameter on every rank, `.elements(range)` in the parameter's own row-major elements, empty where
///   the rank's partition misses the parameter; so optimizer keys and step counts agree across ranks, and the
///   pieces of one parameter, in rank order, tile it exactly once.
/// - **Sums, in a fixed order.** Gradients are summed over ranks (all-reduce at stage 1, reduce-scatter at stages
///   2–3) in the communicator's fixed order, and over micro-steps in micro-step order.
/// - **One owner per element.** Only the owning rank's optimizer writes an element; the others receive it by
///   all-gather, so replicas (stages 1–2) and gathered units (stage 3) are bit-identical on every rank.
/// - **Memory.** Stage 3 keeps resident its partitions (values and gradients of `⌈N / W⌉` elements each), the
///   units the model is using, their whole gradients until reduced, and one collective round buffer; stage 2 the
///   whole values, the gradient partition and the units' gradients in flight. ``memoryUsage`` counts them.
public final class ZeRORuntime: StrategyRuntime, MemoryAccounting {
    /// What this runtime partitions.
    public let stage: ZeROStage
    /// The flat partition of the trainable parameters: what this rank's optimizer updates.
    public let trainablePartition: FlatPartition
    /// At stage 3, the flat partition of the frozen parameters; `nil` at stages 1–2, where they stay whole.
    public let frozenPartition: FlatPartition?

    let configuration: ZeROStrategy.Configuration
    let communicator: any Communicator
    /// Every parameter, sorted by key.
    let parameters: [any ModelParameter]
    /// The trainable parameters, in ``trainablePartition`` order.
    let trainable: [any ModelParameter]
    /// The frozen parameters, in ``frozenPartition`` order (stage 3; empty otherwise).
    let frozen: [any ModelParameter]
    let trainablePieces: [FlatPartition.Piece]
    let frozenPieces: [FlatPartition.Piece]
    let unitPlans: [ParameterUnit: UnitPlan]
    let ledger = MemoryLedger()
    /// Stage 3: this rank's partition of the trainable values.
    let trainableValues: UnsafeMutableBufferPointer<Float>
    /// Stage 3: this rank's partition of the frozen values.
    let frozenValues: UnsafeMutableBufferPointer<Float>
    /// Stages 2–3: this rank's partition of the gradients, summed over ranks and micro-steps.
    let gradientPartition: UnsafeMutableBufferPointer<Float>
    /// Stages 2–3: whether a trainable parameter's whole gradient is charged to the ledger.
    var chargedGradients: [Bool]
    /// The address of every empty view this runtime hands out (one float, never read).
    let emptyAnchor = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// One unit's parameters and collectives.
    struct UnitPlan {
        var trainableEntries: [Int]
        var frozenEntries: [Int]
        var trainableExchange: UnitExchange
        var frozenExchange: UnitExchange?
    }

    // MARK: - Initializers

    init(
        parameters: [any ModelParameter], units: [ParameterUnit], configuration: ZeROStrategy.Configuration,
        communicator: any Communicator
    ) {
        let stage = configuration.stage
        let rank = communicator.rank
        self.stage = stage
        self.configuration = configuration
        self.communicator = communicator
        self.parameters = parameters.sorted { $0.key < $1.key }
        trainable = self.parameters.filter(\.isTrainable)
        frozen = stage == .parameters ? self.parameters.filter { !$0.isTrainable } : []
        trainablePartition = FlatPartition(parameters: trainable.map { ($0.key, $0.elementCount) },
                                           worldSize: communicator.worldSize)
        frozenPartition = stage == .parameters
            ? FlatPartition(parameters: frozen.map { ($0.key, $0.elementCount) }, worldSize: communicator.worldSize)
            : nil
        trainablePieces = trainablePartition.pieces(ofRank: rank)
        frozenPieces = frozenPartition?.pieces(ofRank: rank) ?? []
        unitPlans = Self.plans(units, trainable: trainablePartition, frozen: frozenPartition)
        let ownTrainable = trainablePartition.flatRange(ofRank: rank).count
        let ownFrozen = frozenPartition?.flatRange(ofRank: rank).count ?? 0
        trainableValues = Self.allocate(stage == .parameters ? ownTrainable : 0)
        frozenValues = Self.allocate(ownFrozen)
        gradientPartition = Self.allocate(stage >= .gradients ? ownTrainable : 0)
        gradientPartition.initialize(repeating: 0)
        chargedGradients = trainable.map { !($0 is any ReleasableParameter) }
        if stage == .parameters { partitionValues() }
        chargeInitialMemory()
    }

    deinit {
        trainableValues.deallocate()
        frozenValues.deallocate()
        gradientPartition.deallocate()
        emptyAnchor.deallocate()
    }

    /// A buffer of `count` floats at a real address even when `count` is 0 (see ``view(_:_:)``).
    private static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1)), count: count)
    }

    // MARK: - StrategyRuntime

    /// `nil` at stage 1 (parameters whole, gradients reduced at the end); at stages 2–3 this runtime, which
    /// reduce-scatters each unit's gradients when ready and, at stage 3, gathers each unit around its use.
    public var parameterHooks: (any ParameterHooks)? { stage == .optimizerState ? nil : self }

    /// Stage 1: sums the whole gradients across ranks in buckets of at most `reduce_bucket_size` elements. Stages
    /// 2–3: nothing left to do, the hooks reduced every unit as its gradients were ready.
    public func synchronizeGradients(_ step: StepContext) async throws {
        guard stage == .optimizerState, communicator.worldSize > 1 else { return }
        try await allReduceGradients()
    }

    /// One shard per trainable parameter, sorted by key: its intersection with this rank's partition as
    /// `.elements(range)` (empty where the partition misses it), viewing the whole values (stages 1–2) or the value
    /// partition (stage 3), and the whole gradient (stage 1) or the gradient partition (stages 2–3).
    public func optimizerShards() throws -> [ParameterShard] {
        trainablePieces.map { piece in
            let parameter = trainable[piece.entry]
            let range = piece.localRange
            let values = stage == .parameters
                ? view(trainableValues, from: piece.partitionOffset, count: range.count)
                : view(range.isEmpty ? nil : parameter.values, range)
            let gradient = stage == .optimizerState
                ? view(range.isEmpty ? nil : parameter.gradient, range)
                : view(gradientPartition, from: piece.partitionOffset, count: range.count)
            return ParameterShard(
                key: parameter.key, layout: TensorLayout(globalShape: parameter.shape, placement: .elements(range)),
                values: values, gradient: gradient)
        }
    }

    /// Stages 1–2: all-gathers the updated partitions into every replica (buckets of `allgather_bucket_size`) and
    /// zeroes the gradients. Stage 3: zeroes the gradient partition; units are gathered when next used.
    public func finishStep(_ step: StepContext) async throws {
        if stage < .parameters { try await gatherUpdatedPartitions() }
        if stage == .optimizerState {
            for parameter in trainable { parameter.gradient.update(repeating: 0) }
        } else {
            gradientPartition.update(repeating: 0)
        }
    }

    /// Every parameter, sorted by key: whole and `.replicated` at stages 1–2; at stage 3 this rank's flat piece,
    /// `.elements(range)`, viewing the partition storage.
    public func parameterPieces() throws -> [ParameterPiece] {
        guard stage == .parameters else {
            return parameters.map(\.replicatedPiece)
        }
        var trainableIndex = 0
        var frozenIndex = 0
        return parameters.map { parameter in
            let piece: FlatPartition.Piece
            let storage: UnsafeMutableBufferPointer<Float>
            if parameter.isTrainable {
                piece = trainablePieces[trainableIndex]
                storage = trainableValues
                trainableIndex += 1
            } else {
                piece = frozenPieces[frozenIndex]
                storage = frozenValues
                frozenIndex += 1
            }
            return ParameterPiece(
                key: parameter.key, layout: TensorLayout(globalShape: parameter.shape, placement: .elements(piece.localRange)),
                values: view(storage, from: piece.partitionOffset, count: piece.localRange.count))
        }
    }

    // MARK: - StatefulComponent

    /// `zero` keeps no state of its own: partitions are pure functions of the parameters and the world size, and
    /// gradients are zero between steps.
    public func stateDict() throws -> StateDict { StateDict() }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys([], options: options)
    }

    // MARK: - MemoryAccounting

    public var memoryUsage: MemoryUsage { ledger.usage }

    public func resetPeakMemory() { ledger.resetPeak() }
}
