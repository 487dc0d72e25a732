/// Turns text into token ids and back.
///
/// # Semantic requirements
/// - **Special tokens first.** ``encode(_:)`` matches every entry of ``specialTokens`` wherever it appears in the
///   text (leftmost, then longest), and encodes only the text between them with the model's algorithm, as the
///   Hugging Face `tokenizers` library does with added tokens. So a chat template can write `<|im_start|>` as text.
/// - **Round trip.** `decode(encode(text)) == text` for every text the tokenizer's normalizer leaves unchanged.
/// - **Ids in range.** Every id ``encode(_:)`` returns is in `0..<vocabularySize`, and so is every special id.
/// - **Deterministic.** The same text always gives the same ids, on every machine and thread.
///
/// Cairn ships ``ByteTokenizer`` (for tiny models trained from scratch) and ``BPETokenizer`` (Hugging Face
/// `tokenizer.json`, byte-level BPE as GPT-2 and Qwen2/3 use). A conforming type must be `Sendable`: every rank
/// thread tokenizes with the same instance.
public protocol Tokenizer: Sendable {
    /// The token ids of `text`, special tokens included where the text spells them.
    func encode(_ text: String) -> [Int32]

    /// The text of `ids`, special tokens spelled out; bytes that do not form valid UTF-8 become U+FFFD.
    func decode(_ ids: [Int32]) -> String

    /// The tokens matched before the model's algorithm runs (`<|im_start|>`, `<|endoftext|>`, …) and their ids.
    var specialTokens: [String: Int32] { get }

    /// How many ids the model's embedding must have: one more than the largest id.
    var vocabularySize: Int { get }
}

extension Tokenizer {
    /// The id of the special token spelled `token`, or `nil` when the tokenizer has none.
    public func specialTokenID(_ token: String) -> Int32? {
        specialTokens[token]
    }

    /// The id of the special token spelled `token`.
    /// - Throws: ``DataError`` `.invalidTokenizer` when the tokenizer lacks it, naming what needs it.
    public func requireSpecialTokenID(_ token: String, neededBy user: String) throws(DataError) -> Int32 {
        guard let id = specialTokens[token] else {
            throw DataError(
                .invalidTokenizer, "\(user) needs the special token \(token), which this tokenizer does not have")
        }
        return id
    }

    /// The id used to pad batches: `<|endoftext|>` when the tokenizer has it (as Qwen does), else `nil`.
    public var paddingTokenID: Int32? {
        specialTokens[SpecialToken.endOfText]
    }
}

/// The spellings of the special tokens Cairn's templates and tokenizers use.
public enum SpecialToken {
    /// End of a document; Qwen's padding token.
    public static let endOfText = "<|endoftext|>"
    /// Opens a chat turn (ChatML).
    public static let imStart = "<|im_start|>"
    /// Closes a chat turn (ChatML); the assistant's copy carries loss.
    public static let imEnd = "<|im_end|>"
    /// Opens a Qwen3 reasoning block.
    public static let thinkStart = "<think>"
    /// Closes a Qwen3 reasoning block.
    public static let thinkEnd = "</think>"
}
