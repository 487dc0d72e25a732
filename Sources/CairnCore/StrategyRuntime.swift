/// One rank's live side of a ``DistStrategy``: where parameters, gradients and optimizer state are, and what to
/// do with them at each step boundary.
///
/// The trainer drives every runtime the same way and never branches on a strategy's name:
/// 1. for each micro-step: the model runs forward and backward, calling ``parameterHooks`` around each unit;
/// 2. ``synchronizeGradients(_:)`` after the last micro-step;
/// 3. the trainer clips by the global gradient norm and the optimizer updates ``optimizerShards()``;
/// 4. ``finishStep(_:)``.
///
/// Checkpoints save and load the model through ``parameterPieces()``, so a sharded strategy never materialises
/// the whole model to save it.
///
/// # Semantic requirements
/// Conforming types satisfy these laws, which `StrategyConformance` checks:
/// - **Parity.** With the same global batch, the loss of every step matches `SingleDeviceStrategy` within float
///   reduction-order tolerance (1e-5 relative).
/// - **Complete gradients.** After ``synchronizeGradients(_:)``, each shard's gradient is the sum over all ranks
///   and micro-steps of the per-token loss gradients (the loss is already divided by the global token count).
/// - **Disjoint shards.** Shards with a `.rows` or `.elements` placement partition the trainable elements across
///   ranks exactly once; `.replicated` shards are identical on every rank.
/// - **Consistent parameters.** After ``finishStep(_:)`` every rank's model computes with the updated values and
///   gradients are zero.
/// - **Resume.** As a ``StatefulComponent``, the runtime's state (under the `strategy` namespace) plus the model
///   and optimizer restores bit-identically at the same world size.
public protocol StrategyRuntime: StatefulComponent {
    /// The hooks the model calls around each unit; `nil` when parameters are always whole and local.
    var parameterHooks: (any ParameterHooks)? { get }

    /// Completes the step's gradients on the pieces this rank owns (all-reduce, reduce-scatter, or nothing).
    func synchronizeGradients(_ step: StepContext) async throws

    /// The pieces of trainable parameters this rank's optimizer updates, sorted by key.
    func optimizerShards() throws -> [ParameterShard]

    /// Makes parameters consistent after the optimizer update (for example all-gathers ZeRO partitions) and
    /// zeroes gradients.
    func finishStep(_ step: StepContext) async throws

    /// The piece of every parameter, trainable or frozen, that this rank holds: what the `model` namespace of a
    /// checkpoint saves from this rank and loads into it. Sorted by key; values view live storage.
    func parameterPieces() throws -> [ParameterPiece]
}

/// A runtime that accounts for the bytes it keeps resident, so a test can hold a sharding strategy to its memory
/// promise (DESIGN.md §6: FSDP2 and ZeRO-3 keep about 1/N of the model per rank plus one unit in flight).
public protocol MemoryAccounting: AnyObject {
    /// What this rank holds now, and the peak since the runtime was made or ``resetPeakMemory()`` was called.
    var memoryUsage: MemoryUsage { get }
    /// Starts a new peak measurement.
    func resetPeakMemory()
}

/// Resident bytes of one rank's parameters and gradients (optimizer state is the optimizer's, counted apart).
public struct MemoryUsage: Sendable, Hashable {
    /// Parameter values resident now: shards plus any gathered unit.
    public var parameterBytes: Int
    /// Gradients resident now: shards plus any full gradients not yet reduced.
    public var gradientBytes: Int
    /// The highest `parameterBytes + gradientBytes` seen since the last reset.
    public var peakBytes: Int

    /// Creates a usage record.
    public init(parameterBytes: Int, gradientBytes: Int, peakBytes: Int) {
        self.parameterBytes = parameterBytes
        self.gradientBytes = gradientBytes
        self.peakBytes = peakBytes
    }
}
