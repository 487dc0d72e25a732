public import CairnCore

/// One rank's side of ``LocalSGDStrategy``: a whole replica stepped on this rank's data, averaged with the
/// others every `sync_every` steps.
///
/// # What a checkpoint holds
/// Between synchronizations the replicas differ, and a checkpoint must keep every rank's copy to resume exactly.
/// Only values that are identical on every rank may be `.replicated`, so:
/// - **`model`** (``parameterPieces()``): the last synchronized average, the *anchor*. It is identical on every
///   rank, so it is saved once, as a Hugging Face model like any other strategy's; after a synchronization step
///   it is also the trained model.
/// - **`strategy`** (``stateDict()``): one canonical key per trainable parameter, `replicas.<parameter key>`,
///   whose value is the stacked global tensor `[worldSize, …shape]` of every rank's current replica; this rank
///   holds `.rows(rank ..< rank + 1)`. The replicas themselves are saved rather than their differences from the
///   anchor, because `anchor + (replica − anchor)` does not round back to `replica` in floating point, and
///   resume must be bit-exact.
/// - **`optimizer`**: ``optimizerShards()`` give every parameter the same stacked row layout, so the optimizer's
///   moments (`state.<parameter key>.exp_avg`, …) are saved per rank too.
///
/// The keys never name a rank or a world size; the layouts do. A resume at another world size is refused (see
/// ``LocalSGDStrategy/supportsReshardedResume``).
///
/// > Important: the trainer writes rank 0's replica as the final model. End training on a synchronization step
/// > (`max_steps` a multiple of `sync_every`) so the final model is the average of every replica.
public final class LocalSGDRuntime: StrategyRuntime {
    private let parameters: [any ModelParameter]
    private let trainable: [any ModelParameter]
    private let communicator: any Communicator
    private let syncEvery: Int
    /// The last synchronized values of every parameter, in `parameters` order.
    private let anchors: [UnsafeMutableBufferPointer<Float>]
    /// Every trainable parameter's values end to end, for one all-reduce per synchronization.
    private let flat: UnsafeMutableBufferPointer<Float>

    init(model: any ParameterTree, communicator: any Communicator, syncEvery: Int) {
        parameters = model.parameters
        trainable = parameters.filter(\.isTrainable)
        self.communicator = communicator
        self.syncEvery = syncEvery
        anchors = parameters.map { parameter in
            let anchor = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameter.elementCount)
            _ = anchor.initialize(fromContentsOf: parameter.values)
            return anchor
        }
        flat = .allocate(capacity: trainable.reduce(0) { $0 + $1.elementCount })
    }

    deinit {
        for anchor in anchors { anchor.deallocate() }
        flat.deallocate()
    }

    // MARK: - StrategyRuntime

    public var parameterHooks: (any ParameterHooks)? { nil }

    /// Scales this rank's gradient by the world size: the rank's share of the global gradient becomes an estimate
    /// of the whole gradient from its own data. Nothing is communicated.
    public func synchronizeGradients(_ step: StepContext) async throws {
        guard communicator.worldSize > 1 else { return }
        let scale = Float(communicator.worldSize)
        for parameter in trainable {
            let gradient = parameter.gradient
            for index in gradient.indices { gradient[index] *= scale }
        }
    }

    /// This rank's replica of every trainable parameter, as row `rank` of a `[worldSize, …shape]` tensor.
    public func optimizerShards() throws -> [ParameterShard] {
        trainable.map { parameter in
            ParameterShard(key: parameter.key, layout: stackedLayout(of: parameter), values: parameter.values,
                           gradient: parameter.gradient)
        }
    }

    /// Zeroes gradients and, after every `sync_every`-th step, replaces every replica by the average of all of
    /// them (summed in rank order, divided by the world size) and makes that the new anchor.
    public func finishStep(_ step: StepContext) async throws {
        for parameter in trainable { parameter.gradient.update(repeating: 0) }
        guard (step.globalStep + 1) % syncEvery == 0 else { return }
        if communicator.worldSize > 1 {
            var offset = 0
            for parameter in trainable {
                _ = UnsafeMutableBufferPointer(rebasing: flat[offset..<offset + parameter.elementCount])
                    .update(fromContentsOf: parameter.values)
                offset += parameter.elementCount
            }
            try await communicator.allReduce(flat, .sum)
            let divisor = Float(communicator.worldSize)
            offset = 0
            for parameter in trainable {
                let values = parameter.values
                for index in values.indices { values[index] = flat[offset + index] / divisor }
                offset += parameter.elementCount
            }
        }
        for (parameter, anchor) in zip(parameters, anchors) where parameter.isTrainable {
            _ = anchor.update(fromContentsOf: parameter.values)
        }
    }

    /// The anchor of every parameter, replicated: the `model` namespace of a checkpoint.
    public func parameterPieces() throws -> [ParameterPiece] {
        zip(parameters, anchors).map { parameter, anchor in
            ParameterPiece(key: parameter.key, layout: .replicated(parameter.shape), values: anchor)
        }
    }

    // MARK: - StatefulComponent

    /// `replicas.<parameter key>`: this rank's current replica, row `rank` of the stacked tensor (viewing live
    /// storage).
    public func stateDict() throws -> StateDict {
        var dict = StateDict()
        for parameter in trainable {
            let values = parameter.values
            // A view of the live values: a synchronous save finishes before the next step writes them, and an
            // asynchronous save snapshots them first (HostBuffer's sharing rule).
            let buffer = values.baseAddress.map {
                HostBuffer(view: UnsafeMutableRawPointer($0), byteCount: values.count * MemoryLayout<Float>.stride,
                           owner: nil)
            } ?? HostBuffer(uninitializedByteCount: 0)
            dict[Self.replicaKey(parameter.key)] = .tensor(StateTensor(layout: stackedLayout(of: parameter), buffer: buffer))
        }
        return dict
    }

    /// Restores this rank's replicas; all or nothing.
    /// - Throws: ``StateDictError`` `.missingKey`, `.unexpectedKey`, `.wrongType`, or `.wrongLayout` (a checkpoint
    ///   of another world size); the runtime is then unchanged.
    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys(trainable.map { Self.replicaKey($0.key) }, options: options)
        var sources: [(UnsafeMutableBufferPointer<Float>, StateTensor)] = []
        for parameter in trainable {
            let key = Self.replicaKey(parameter.key)
            guard dict[key] != nil else { continue }
            let tensor = try dict.tensor(key)
            guard tensor.layout == stackedLayout(of: parameter) else {
                throw StateDictError(.wrongLayout, key: key,
                                     "expected \(stackedLayout(of: parameter)), found \(tensor.layout): local_sgd resumes only at the world size it saved")
            }
            sources.append((parameter.values, tensor))
        }
        for (values, tensor) in sources { _ = values.update(fromContentsOf: tensor.floats) }
    }

    // MARK: - Private helpers

    /// `[worldSize, …shape]`, this rank's row.
    private func stackedLayout(of parameter: any ModelParameter) -> TensorLayout {
        TensorLayout(globalShape: [communicator.worldSize] + parameter.shape,
                     placement: .rows(communicator.rank..<communicator.rank + 1))
    }

    private static func replicaKey(_ key: StateKey) -> StateKey {
        StateKey("replicas").appending(key)
    }
}
