/// A dataset ready for training: every conversation rendered, tokenized and cut to `cutoff_len`.
///
/// Samples with no loss-bearing position after truncation (the assistant's answer lies wholly beyond the cut)
/// are dropped and counted in ``droppedSampleCount``, which the trainer logs; the rest keep spec order.
public struct TokenizedDataset: Sendable {
    /// The usable samples, in spec order.
    public var samples: [TokenizedSample]
    /// Where each sample came from, parallel to ``samples``.
    public var sources: [SampleSource]
    /// How many conversations were read.
    public var conversationCount: Int
    /// How many samples were longer than `cutoff_len` and were cut.
    public var truncatedSampleCount: Int
    /// How many samples were dropped because no loss-bearing token remained after truncation.
    public var droppedSampleCount: Int

    /// Renders, tokenizes and truncates `conversations`.
    /// - Throws: ``DataError`` `.invalidTokenizer` when the template's special tokens are missing, `.emptyDataset`
    ///   when no sample keeps a loss-bearing token.
    public init(
        _ conversations: [DatasetSample], template: ChatTemplate, tokenizer: any Tokenizer, cutoffLength: Int
    ) throws(DataError) {
        guard cutoffLength >= 1 else {
            throw DataError(
                .invalidBatchConfiguration, field: "cutoff_len", "must be at least 1, found \(cutoffLength)")
        }
        samples = []
        sources = []
        conversationCount = conversations.count
        truncatedSampleCount = 0
        droppedSampleCount = 0
        samples.reserveCapacity(conversations.count)
        for conversation in conversations {
            let encoded: EncodedConversation
            do {
                encoded = try template.encode(conversation.conversation, with: tokenizer)
            } catch {
                throw error.located(at: conversation.source)
            }
            let sample = TokenizedSample(encoded: encoded, cutoffLength: cutoffLength)
            if encoded.tokenIDs.count - 1 > cutoffLength { truncatedSampleCount += 1 }
            guard sample.lossTokenCount > 0 else {
                droppedSampleCount += 1
                continue
            }
            samples.append(sample)
            sources.append(conversation.source)
        }
        guard !samples.isEmpty else {
            throw DataError(
                .emptyDataset,
                "none of the \(conversationCount) samples keeps a loss-bearing token within cutoff_len \(cutoffLength)")
        }
    }

    /// Loads the spec at `specFile`, reads its datasets, and renders, tokenizes and truncates them.
    /// - Throws: `ConfigurationError` for the spec file, ``DataError`` for data files and samples.
    public static func load(
        specFile: String, template: ChatTemplate, tokenizer: any Tokenizer, cutoffLength: Int
    ) throws -> TokenizedDataset {
        let spec = try DatasetSpec.load(contentsOfFile: specFile)
        let conversations = try DatasetLoader.load(spec)
        return try TokenizedDataset(conversations, template: template, tokenizer: tokenizer, cutoffLength: cutoffLength)
    }

    /// The number of loss-bearing positions over all samples.
    public var lossTokenCount: Int { samples.reduce(0) { $0 + $1.lossTokenCount } }

    /// The number of positions over all samples.
    public var tokenCount: Int { samples.reduce(0) { $0 + $1.count } }
}
