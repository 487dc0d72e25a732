/// One conversation read from a dataset, with where it came from.
public struct DatasetSample: Hashable, Sendable {
    /// The validated conversation.
    public var conversation: Conversation
    /// The dataset, file, line and index of its record.
    public var source: SampleSource

    /// Creates a sample.
    public init(conversation: Conversation, source: SampleSource) {
        self.conversation = conversation
        self.source = source
    }
}
