import CairnCore

/// One parameter under `fsdp2` on one rank: the padded dim-0 shard of its values that this rank owns, the shard of
/// its gradient, and the two collectives that move between them and the full tensor.
///
/// Storage is padded to ``RowChunking/paddedShardElementCount`` so the shard is itself the all-gather's send
/// buffer and the reduce-scatter's receive buffer; the padding rows of values stay zero. The model's parameter
/// holds the full tensor only between ``gather(using:ledger:)`` and ``release(ledger:)`` (when it is a
/// ``ReleasableParameter``; a plain ``ModelParameter`` keeps its storage, which is then simply stale).
///
/// Legend: `W` world size, `c` rows per rank, `n` global elements, `s = c × row elements` the padded shard.
final class ShardedParameter {
    let parameter: any ModelParameter
    private let releasable: (any ReleasableParameter)?
    let chunking: RowChunking
    /// This rank's piece: `.rows(chunking.rows(ofRank: rank))`.
    let layout: TensorLayout
    /// `s` floats: this rank's rows, then zero padding.
    private let paddedValues: UnsafeMutableBufferPointer<Float>
    /// `s` floats once a gradient reached the shard in this step; `nil` after ``dropGradient(ledger:)``, which
    /// stands for zero (PyTorch's `zero_grad(set_to_none=True)`).
    private var paddedGradient: UnsafeMutableBufferPointer<Float>?
    /// Whether the full gradient is entered in the ledger (from its unit's backward use until it is reduced).
    private var isFullGradientCounted = false

    /// Copies `rank`'s rows out of `parameter`'s values (which must be identical on every rank).
    init(_ parameter: any ModelParameter, rank: Int, worldSize: Int) {
        self.parameter = parameter
        releasable = parameter as? any ReleasableParameter
        chunking = RowChunking(shape: parameter.shape, worldSize: worldSize)
        layout = chunking.layout(ofRank: rank)
        paddedValues = FloatBuffer.zeroed(chunking.paddedShardElementCount)
        let local = layout.globalElementRange
        if !local.isEmpty {
            _ = paddedValues.update(fromContentsOf: parameter.values[local])
        }
    }

    deinit {
        FloatBuffer.free(paddedValues)
        if let paddedGradient { FloatBuffer.free(paddedGradient) }
    }

    // MARK: - Pieces

    var key: StateKey { parameter.key }
    var isTrainable: Bool { parameter.isTrainable }
    var isReleasable: Bool { releasable != nil }

    /// This rank's values (no padding), live.
    var values: UnsafeMutableBufferPointer<Float> { FloatBuffer.prefix(paddedValues, layout.localElementCount) }

    /// This rank's gradient (no padding), allocated zeroed when no gradient reached it in this step.
    func gradient(ledger: MemoryLedger) -> UnsafeMutableBufferPointer<Float> {
        let gradient = paddedGradient ?? allocateGradient(zeroed: true, ledger: ledger)
        return FloatBuffer.prefix(gradient, layout.localElementCount)
    }

    /// Frees the shard gradient, which stands for zero until the next reduce-scatter.
    func dropGradient(ledger: MemoryLedger) {
        guard let paddedGradient else { return }
        FloatBuffer.free(paddedGradient)
        self.paddedGradient = nil
        ledger.changeGradients(by: -shardBytes)
    }

    /// The bytes of the padded shard (values, and gradient once allocated).
    var shardBytes: Int { chunking.paddedShardElementCount * MemoryLayout<Float>.stride }

    /// The bytes of the full tensor.
    var fullBytes: Int { chunking.globalElementCount * MemoryLayout<Float>.stride }

    // MARK: - Gather and release

    /// Materializes the full values and all-gathers every rank's shard into them.
    ///
    /// When dim 0 divides evenly the all-gather writes straight into the parameter's storage; otherwise it fills a
    /// padded staging buffer (`W × s`) whose first `n` floats are the tensor (see ``RowChunking``), copied once.
    /// > Important: a collective: every rank gathers the same parameters in the same order.
    func gather(using communicator: any Communicator, ledger: MemoryLedger) async throws {
        if let releasable, !releasable.isMaterialized {
            releasable.materialize()
            ledger.changeParameters(by: fullBytes)
        }
        let full = parameter.values
        let send = UnsafeBufferPointer(paddedValues)
        if communicator.worldSize == 1 {
            _ = full.update(fromContentsOf: values)
        } else if chunking.isEven {
            try await communicator.allGather(send, into: full)
        } else {
            let staging = FloatBuffer.allocate(chunking.paddedShardElementCount * communicator.worldSize)
            ledger.changeParameters(by: staging.count * MemoryLayout<Float>.stride)
            defer {
                FloatBuffer.free(staging)
                ledger.changeParameters(by: -staging.count * MemoryLayout<Float>.stride)
            }
            try await communicator.allGather(send, into: staging)
            _ = full.update(fromContentsOf: FloatBuffer.prefix(staging, full.count))
        }
    }

    /// Frees the full values (a plain ``ModelParameter`` keeps them, stale).
    func release(ledger: MemoryLedger) {
        if let releasable, releasable.isMaterialized {
            releasable.release()
            ledger.changeParameters(by: -fullBytes)
        }
    }

    // MARK: - Gradients

    /// Enters the full gradient in the ledger: the backward pass of this parameter's unit is about to write it.
    func expectFullGradient(ledger: MemoryLedger) {
        guard isTrainable, isReleasable, !isFullGradientCounted else { return }
        isFullGradientCounted = true
        ledger.changeGradients(by: fullBytes)
    }

    /// Reduce-scatters (sums) the full gradient across ranks into this rank's shard gradient, adding to what
    /// earlier micro-steps left there, then frees the full gradient (zeroes it, for a plain ``ModelParameter``).
    ///
    /// Evenly divided tensors are reduced straight from the parameter's gradient; uneven ones through a padded
    /// staging copy (`W × s`, zero tail). The first reduction of a step lands directly in the newly allocated
    /// shard gradient. Later ones first add the shard gradient into this rank's own chunk of the outgoing buffer
    /// (which is freed next anyway) and land in the shard gradient again, so accumulation needs no scratch: the
    /// owner's element is `Σ_r (g_r + [r = owner] · earlier)`, summed in rank order on the embedded group.
    /// > Important: a collective: every rank reduces the same parameters in the same order.
    func reduceGradient(using communicator: any Communicator, ledger: MemoryLedger) async throws {
        precondition(isTrainable, "ShardedParameter \(key): frozen parameters have no gradient to reduce")
        let full = parameter.gradient
        let shardCount = chunking.paddedShardElementCount
        if communicator.worldSize == 1 {
            if let paddedGradient {
                for i in 0..<shardCount { paddedGradient[i] += full[i] }
            } else {
                _ = allocateGradient(zeroed: false, ledger: ledger).update(fromContentsOf: full)
            }
        } else if chunking.isEven {
            try await reduceScatter(full, communicator: communicator, ledger: ledger)
        } else {
            let staging = FloatBuffer.allocate(shardCount * communicator.worldSize)
            let stagingBytes = staging.count * MemoryLayout<Float>.stride
            ledger.changeGradients(by: stagingBytes)
            defer {
                FloatBuffer.free(staging)
                ledger.changeGradients(by: -stagingBytes)
            }
            _ = staging.update(fromContentsOf: full)
            UnsafeMutableBufferPointer(rebasing: staging[full.count...]).update(repeating: 0)
            try await reduceScatter(staging, communicator: communicator, ledger: ledger)
        }
        if let releasable {
            releasable.releaseGradient()
        } else {
            full.update(repeating: 0)
        }
        if isFullGradientCounted {
            isFullGradientCounted = false
            ledger.changeGradients(by: -fullBytes)
        }
    }

    // MARK: - Private helpers

    private func allocateGradient(zeroed: Bool, ledger: MemoryLedger) -> UnsafeMutableBufferPointer<Float> {
        precondition(paddedGradient == nil, "ShardedParameter \(key): the shard gradient already exists")
        let gradient = zeroed
            ? FloatBuffer.zeroed(chunking.paddedShardElementCount) : FloatBuffer.allocate(chunking.paddedShardElementCount)
        paddedGradient = gradient
        ledger.changeGradients(by: shardBytes)
        return gradient
    }

    /// Sums `send` (`W` padded shards, this rank's chunk free to modify) across ranks into the shard gradient.
    private func reduceScatter(
        _ send: UnsafeMutableBufferPointer<Float>, communicator: any Communicator, ledger: MemoryLedger
    ) async throws {
        let shardCount = chunking.paddedShardElementCount
        let target: UnsafeMutableBufferPointer<Float>
        if let paddedGradient {
            let own = communicator.rank * shardCount
            for i in 0..<shardCount { send[own + i] += paddedGradient[i] }
            target = paddedGradient
        } else {
            target = allocateGradient(zeroed: false, ledger: ledger)
        }
        try await communicator.reduceScatter(UnsafeBufferPointer(send), into: target, .sum)
    }
}
