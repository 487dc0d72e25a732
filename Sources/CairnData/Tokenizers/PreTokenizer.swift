/// Splits normalized text into pre-tokens, the pieces BPE merges within (never across).
///
/// `tokenizer.json` states the split as a regular expression. Two are common enough to matter:
/// - Qwen2/Qwen3's: ``qwen2Pattern``, run by ``Qwen2Splitter``, a hand-written scanner equivalent to the
///   expression (property-based, per Unicode scalar). Whole-tokenizer throughput with it is 7–12 MB/s against
///   0.3–0.5 MB/s through Swift `Regex` (release build, one core of this machine): 25–40× faster.
/// - GPT-2's: ``gpt2Pattern`` (what a `ByteLevel` pre-tokenizer with `use_regex: true` applies).
/// Any other pattern runs through Swift `Regex` with Unicode-scalar semantics, as Oniguruma (which `tokenizers`
/// uses) matches code points rather than grapheme clusters.
enum PreTokenizer: Sendable {
    /// Qwen2's split, hand-written.
    case qwen2
    /// Any other expression, matched with Swift `Regex`.
    case expression(RegexSplitter)

    /// The split expression of Qwen2 and Qwen3 (`tokenizer.json`, `pre_tokenizer.pretokenizers[0].pattern.Regex`).
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"#
        + #"\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// GPT-2's split expression, applied by a `ByteLevel` pre-tokenizer with `use_regex: true`.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The pre-tokenizer for `pattern`: the hand-written scanner when it is Qwen2's, else a compiled `Regex`.
    /// - Throws: ``DataError`` `.invalidTokenizer` when Swift cannot compile the expression.
    init(pattern: String) throws(DataError) {
        if pattern == Self.qwen2Pattern {
            self = .qwen2
        } else {
            self = .expression(try RegexSplitter(pattern: pattern))
        }
    }

    /// The UTF-8 byte ranges of the pre-tokens of `text`, covering it without gaps.
    func split(_ text: String) -> [Range<Int>] {
        switch self {
        case .qwen2: Qwen2Splitter.split(Array(text.utf8))
        case .expression(let splitter): splitter.split(text)
        }
    }
}
