public import CairnCore

/// The data loader: turns the global sample stream into each rank's micro-batches, and saves its cursor.
///
/// **Order.** The stream is epoch 0's permutation, then epoch 1's, and so on (``EpochPermutation``: a pure
/// function of `(seed, epoch)`). Global batches are consecutive runs of `globalBatchSize` stream positions, so a
/// batch may span an epoch boundary, and ``epoch`` is fractional: samples consumed / dataset size.
///
/// **Slicing.** With micro-batch size *m* and world size *W*, a step has *A = G / (m·W)* accumulation micro-steps;
/// rank *r*'s micro-step *a* takes positions `[a·W·m + r·m, a·W·m + r·m + m)` of the global batch. Each
/// micro-batch is right-padded to its own longest sample. The union of all ranks' slices is the global batch,
/// whatever *W*, and every rank computes the global batch's loss-token count itself (all ranks hold the data).
///
/// **State** (keys relative to the `dataloader` namespace):
/// - `samples_consumed`: the global cursor, the stream positions consumed by all ranks together. It does not
///   depend on the world size, so a checkpoint resumes at any world size with the same global batch. There is
///   no buffer: without packing, nothing is read ahead of the cursor.
/// - `dataset_size`: a guard. The order is a function of the dataset size too, so resuming after the data changed
///   would silently continue a different stream; loading refuses a different size.
///
/// Loading is strict by default (``LoadOptions``): a missing or unexpected key is an error, and a failed load
/// leaves the generator unchanged.
public final class BatchGenerator: StatefulComponent {
    /// The samples, indexed by the permutation.
    public let samples: [TokenizedSample]
    /// The seed of the epoch permutations.
    public let seed: UInt64
    /// Samples per optimizer step, over all ranks.
    public let globalBatchSize: Int
    /// Samples per forward/backward pass on one rank.
    public let microBatchSize: Int
    /// The id right-padding fills inputs with.
    public let padTokenID: Int32

    /// Stream positions consumed by all ranks together.
    public private(set) var samplesConsumed: Int = 0

    private let lossTokenCounts: [Int]
    /// The most recently used epoch orders (a step touches at most two epochs unless G > dataset size).
    private var orderCache: [(epoch: Int, order: [Int])] = []

    // MARK: - Initializers

    /// Creates a generator at the start of epoch 0.
    /// - Throws: ``DataError`` `.emptyDataset` without samples, `.invalidBatchConfiguration` when a batch size is
    ///   not positive or `globalBatchSize` is not a multiple of `microBatchSize`.
    public init(
        samples: [TokenizedSample], seed: UInt64, globalBatchSize: Int, microBatchSize: Int, padTokenID: Int32
    ) throws {
        guard !samples.isEmpty else { throw DataError(.emptyDataset, "the batch generator needs at least one sample") }
        guard microBatchSize >= 1 else {
            throw DataError(
                .invalidBatchConfiguration, field: "micro_batch_size", "must be at least 1, found \(microBatchSize)")
        }
        guard globalBatchSize >= 1, globalBatchSize % microBatchSize == 0 else {
            throw DataError(
                .invalidBatchConfiguration, field: "global_batch_size",
                "\(globalBatchSize) is not a positive multiple of micro_batch_size \(microBatchSize)")
        }
        self.samples = samples
        self.seed = seed
        self.globalBatchSize = globalBatchSize
        self.microBatchSize = microBatchSize
        self.padTokenID = padTokenID
        lossTokenCounts = samples.map(\.lossTokenCount)
    }

    // MARK: - Public API

    /// The number of samples in one epoch.
    public var datasetSize: Int { samples.count }

    /// Epochs consumed, as a fraction.
    public var epoch: Double { Double(samplesConsumed) / Double(datasetSize) }

    /// Optimizer steps per epoch, as a fraction (dataset size / global batch size).
    public var stepsPerEpoch: Double { Double(datasetSize) / Double(globalBatchSize) }

    /// The accumulation micro-steps per optimizer step at `worldSize`: G / (m·W).
    /// - Throws: ``DataError`` `.invalidBatchConfiguration` when that is not a whole number.
    public func accumulationSteps(worldSize: Int) throws(DataError) -> Int {
        guard worldSize >= 1 else {
            throw DataError(.invalidBatchConfiguration, field: "world_size", "must be at least 1, found \(worldSize)")
        }
        let perMicroStep = microBatchSize * worldSize
        guard globalBatchSize % perMicroStep == 0 else {
            throw DataError(
                .invalidBatchConfiguration, field: "global_batch_size",
                "\(globalBatchSize) is not a multiple of micro_batch_size \(microBatchSize) × world_size "
                    + "\(worldSize) = \(perMicroStep); choose a global batch size that is")
        }
        return globalBatchSize / perMicroStep
    }

    /// Rank `rank`'s share of the next global batch, and advances the global cursor by `globalBatchSize`.
    ///
    /// > Important: Every rank calls this once per optimizer step, with the same `worldSize`, so their cursors
    /// > stay equal.
    /// - Throws: ``DataError`` `.invalidBatchConfiguration` for a rank outside `0..<worldSize` or a world size the
    ///   global batch does not divide; the cursor is then unchanged.
    public func nextStep(rank: Int, worldSize: Int) throws -> StepBatch {
        let accumulation = try accumulationSteps(worldSize: worldSize)
        guard (0..<worldSize).contains(rank) else {
            throw DataError(.invalidBatchConfiguration, "rank \(rank) is outside 0..<\(worldSize)")
        }
        let batch = globalBatchIndices()
        var microBatches: [MicroBatch] = []
        microBatches.reserveCapacity(accumulation)
        for step in 0..<accumulation {
            let start = step * worldSize * microBatchSize + rank * microBatchSize
            let rows = batch[start..<(start + microBatchSize)].map { (index: $0, sample: samples[$0]) }
            microBatches.append(MicroBatch(samples: rows, padTokenID: padTokenID))
        }
        samplesConsumed += globalBatchSize
        return StepBatch(
            microBatches: microBatches, globalLossTokenCount: batch.reduce(0) { $0 + lossTokenCounts[$1] },
            samplesConsumedAfter: samplesConsumed, epochAfter: epoch)
    }

    /// The sample index at global stream position `position`.
    public func sampleIndex(atStreamPosition position: Int) -> Int {
        precondition(position >= 0, "BatchGenerator: negative stream position \(position)")
        return order(ofEpoch: position / datasetSize)[position % datasetSize]
    }

    // MARK: - StatefulComponent

    /// The cursor: `samples_consumed` and the `dataset_size` guard.
    public func stateDict() -> StateDict {
        StateDict([
            (Keys.samplesConsumed, .int(Int64(samplesConsumed))),
            (Keys.datasetSize, .int(Int64(datasetSize))),
        ])
    }

    /// Restores the cursor; with ``LoadOptions/strict``, both keys must be present and no other.
    /// - Throws: ``StateDictError`` `.missingKey`, `.unexpectedKey`, `.wrongType`, or `.invalidValue` for a
    ///   negative cursor or a different dataset size; the generator is then unchanged.
    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys([Keys.samplesConsumed, Keys.datasetSize], options: options)
        if dict[Keys.datasetSize] != nil {
            let savedSize = try dict.int(Keys.datasetSize)
            guard savedSize == Int64(datasetSize) else {
                throw StateDictError(
                    .invalidValue, key: Keys.datasetSize,
                    "the checkpoint's data order is for \(savedSize) samples but this dataset has \(datasetSize): "
                        + "the data, its spec, cutoff_len or the template changed since the checkpoint was saved")
            }
        }
        if dict[Keys.samplesConsumed] != nil {
            let consumed = try dict.int(Keys.samplesConsumed)
            guard consumed >= 0, consumed <= Int64(Int.max / 2) else {
                throw StateDictError(.invalidValue, key: Keys.samplesConsumed, "\(consumed) is out of range")
            }
            samplesConsumed = Int(consumed)
        }
    }

    // MARK: - Private helpers

    private enum Keys {
        static let samplesConsumed: StateKey = "samples_consumed"
        static let datasetSize: StateKey = "dataset_size"
    }

    /// The sample indices of the next global batch, in stream order.
    private func globalBatchIndices() -> [Int] {
        (samplesConsumed..<(samplesConsumed + globalBatchSize)).map(sampleIndex(atStreamPosition:))
    }

    private func order(ofEpoch epoch: Int) -> [Int] {
        if let cached = orderCache.first(where: { $0.epoch == epoch }) { return cached.order }
        let order = EpochPermutation.order(seed: seed, epoch: epoch, count: datasetSize)
        orderCache.append((epoch, order))
        if orderCache.count > 2 { orderCache.removeFirst() }
        return order
    }
}
