/// What one optimizer step consumes on one rank.
public struct StepBatch: Hashable, Sendable {
    /// This rank's micro-batches, in accumulation order.
    public var microBatches: [MicroBatch]
    /// Labelled positions in the whole global batch (all ranks, all micro-steps): the loss normalizer.
    public var globalLossTokenCount: Int
    /// Samples consumed over all ranks once this step is done.
    public var samplesConsumedAfter: Int
    /// Epochs completed once this step is done, as a fraction (samples consumed / dataset size).
    public var epochAfter: Double

    /// Creates a step batch.
    public init(microBatches: [MicroBatch], globalLossTokenCount: Int, samplesConsumedAfter: Int, epochAfter: Double) {
        self.microBatches = microBatches
        self.globalLossTokenCount = globalLossTokenCount
        self.samplesConsumedAfter = samplesConsumedAfter
        self.epochAfter = epochAfter
    }
}
