/// One training sample: input ids and, for each position, the id of the next token to learn or `-100`.
///
/// `targets[i]` is the label for the prediction made at position `i`, that is the token after `inputIDs[i]`,
/// already shifted; ``ignoreIndex`` (`-100`, PyTorch's and Hugging Face's convention) where no loss is taken.
public struct TokenizedSample: Hashable, Sendable {
    /// The label of positions that carry no loss.
    public static let ignoreIndex: Int32 = -100

    /// The token ids the model reads.
    public var inputIDs: [Int32]
    /// The label of each position, parallel to ``inputIDs``.
    public var targets: [Int32]

    /// Creates a sample; `targets` must be as long as `inputIDs`.
    public init(inputIDs: [Int32], targets: [Int32]) {
        precondition(inputIDs.count == targets.count, "TokenizedSample: inputs and targets differ in length")
        self.inputIDs = inputIDs
        self.targets = targets
    }

    /// Makes a sample from an encoded conversation, at most `cutoffLength` positions long.
    ///
    /// The inputs are the first `min(n − 1, cutoffLength)` of the `n` tokens (the last token predicts nothing,
    /// so it is never an input); position `i` is labelled with token `i + 1` when that token carries loss. A
    /// sample cut short still learns the token right after the cut, since it is known. A `cutoffLength` below 1
    /// gives an empty sample (no loss-bearing position).
    public init(encoded: EncodedConversation, cutoffLength: Int) {
        let tokens = encoded.tokenIDs
        let length = max(0, min(tokens.count - 1, cutoffLength))
        inputIDs = Array(tokens.prefix(length))
        targets = (0..<length).map { encoded.lossMask[$0 + 1] ? tokens[$0 + 1] : Self.ignoreIndex }
    }

    /// The number of positions with a label.
    public var lossTokenCount: Int {
        targets.reduce(0) { $0 + ($1 == Self.ignoreIndex ? 0 : 1) }
    }

    /// The number of positions.
    public var count: Int { inputIDs.count }
}
