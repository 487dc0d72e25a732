/// One rank's micro-batch: `batchSize` samples right-padded to the longest, flattened row-major.
public struct MicroBatch: Hashable, Sendable {
    /// The number of samples (rows).
    public var batchSize: Int
    /// The length of every row: the longest sample's.
    public var sequenceLength: Int
    /// `batchSize × sequenceLength` input ids, each row right-padded with the padding token.
    public var inputIDs: [Int32]
    /// `batchSize × sequenceLength` labels, ``TokenizedSample/ignoreIndex`` on padding and unlabelled positions.
    public var targets: [Int32]
    /// The number of labelled positions in this micro-batch.
    public var lossTokenCount: Int
    /// The dataset index of each row's sample, for logging and tests.
    public var sampleIndices: [Int]

    /// Creates a micro-batch.
    public init(
        batchSize: Int, sequenceLength: Int, inputIDs: [Int32], targets: [Int32], lossTokenCount: Int,
        sampleIndices: [Int]
    ) {
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.inputIDs = inputIDs
        self.targets = targets
        self.lossTokenCount = lossTokenCount
        self.sampleIndices = sampleIndices
    }

    /// Pads `samples` (with their dataset indices) into one micro-batch.
    init(samples: [(index: Int, sample: TokenizedSample)], padTokenID: Int32) {
        let length = samples.map(\.sample.count).max() ?? 0
        var inputs = [Int32](repeating: padTokenID, count: samples.count * length)
        var labels = [Int32](repeating: TokenizedSample.ignoreIndex, count: samples.count * length)
        var lossTokens = 0
        for (row, entry) in samples.enumerated() {
            let offset = row * length
            for (column, id) in entry.sample.inputIDs.enumerated() { inputs[offset + column] = id }
            for (column, label) in entry.sample.targets.enumerated() {
                labels[offset + column] = label
                if label != TokenizedSample.ignoreIndex { lossTokens += 1 }
            }
        }
        self.init(
            batchSize: samples.count, sequenceLength: length, inputIDs: inputs, targets: labels,
            lossTokenCount: lossTokens, sampleIndices: samples.map(\.index))
    }
}
