/// A tokenizer whose ids 0–255 are the UTF-8 bytes of the text, followed by a few special tokens.
///
/// Built in for tiny models trained from scratch (the demo): no file, no training, every text encodable.
/// Special token ids, fixed so that checkpoints stay valid across versions:
///
/// | id | token | use |
/// | --- | --- | --- |
/// | 256 | `<|endoftext|>` | padding, end of document |
/// | 257 | `<|im_start|>` | opens a chat turn |
/// | 258 | `<|im_end|>` | closes a chat turn; the assistant's carries loss |
/// | 259 | `<think>` | opens the (empty) reasoning block of `qwen3_nothink` |
/// | 260 | `</think>` | closes it |
///
/// The think tags are single tokens, as in Qwen3's vocabulary, so the block `qwen3_nothink` inserts costs 6 tokens
/// instead of 19 bytes: short sequences matter for a model with a 64-token context. The vocabulary size is 261.
public struct ByteTokenizer: Tokenizer {
    /// The special tokens in id order, starting at 256.
    public static let specialTokenSpellings = [
        SpecialToken.endOfText, SpecialToken.imStart, SpecialToken.imEnd, SpecialToken.thinkStart,
        SpecialToken.thinkEnd,
    ]

    public let specialTokens: [String: Int32]
    private let matcher: SpecialTokenMatcher

    /// Creates the byte tokenizer.
    public init() {
        var tokens: [String: Int32] = [:]
        for (offset, spelling) in Self.specialTokenSpellings.enumerated() { tokens[spelling] = Int32(256 + offset) }
        specialTokens = tokens
        matcher = SpecialTokenMatcher(tokens: tokens)
    }

    public var vocabularySize: Int { 256 + Self.specialTokenSpellings.count }

    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count)
        for piece in matcher.split(text) {
            switch piece {
            case .text(let segment): ids.append(contentsOf: segment.utf8.lazy.map { Int32($0) })
            case .special(let id): ids.append(id)
            }
        }
        return ids
    }

    /// The text of `ids`; ids outside the vocabulary decode to U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count)
        for id in ids {
            switch id {
            case 0..<256:
                bytes.append(UInt8(id))
            case 256..<Int32(vocabularySize):
                bytes.append(contentsOf: Self.specialTokenSpellings[Int(id) - 256].utf8)
            default:
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
