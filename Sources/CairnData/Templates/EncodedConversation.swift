/// A rendered conversation as token ids, with a loss flag per token.
public struct EncodedConversation: Hashable, Sendable {
    /// The token ids.
    public var tokenIDs: [Int32]
    /// Whether each token carries loss (predicting it is trained), parallel to ``tokenIDs``.
    public var lossMask: [Bool]

    /// Creates an encoded conversation.
    public init(tokenIDs: [Int32], lossMask: [Bool]) {
        precondition(tokenIDs.count == lossMask.count, "EncodedConversation: ids and loss mask differ in length")
        self.tokenIDs = tokenIDs
        self.lossMask = lossMask
    }
}
