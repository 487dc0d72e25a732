/// A split by a regular expression with `tokenizers`' `Isolated` behaviour: every match is a piece, and so is
/// every stretch of text between matches.
///
/// One known difference from Oniguruma: Swift `Regex`'s `(?i)` does not apply full Unicode case folding (it does
/// not match `ſ`, U+017F, for `s`), so a case-insensitive pattern can split such text differently. Qwen2's
/// pattern never takes this path (``Qwen2Splitter`` folds as Oniguruma does).
struct RegexSplitter: Sendable {
    /// The expression's source text.
    ///
    /// Stored as text and compiled per call: `Regex<AnyRegexOutput>` is not `Sendable` (it compiles lazily
    /// inside), and the tokenizer is shared by every rank thread. Compiling costs microseconds; this path is the
    /// slow fallback for uncommon patterns anyway.
    let pattern: String

    /// Compiles `pattern`.
    /// - Throws: ``DataError`` `.invalidTokenizer` when Swift `Regex` cannot compile it.
    init(pattern: String) throws(DataError) {
        self.pattern = pattern
        do {
            _ = try Self.compile(pattern)
        } catch {
            throw DataError(
                .invalidTokenizer, field: "pre_tokenizer",
                "cannot compile the split expression \(pattern) with Swift Regex", cause: error)
        }
    }

    /// The UTF-8 byte ranges of the pieces of `text`.
    func split(_ text: String) -> [Range<Int>] {
        let utf8 = text.utf8
        var lastIndex = utf8.startIndex
        var lastOffset = 0
        /// Offsets grow monotonically, so each distance is measured from the previous one (linear overall).
        func offset(_ index: String.Index) -> Int {
            lastOffset += utf8.distance(from: lastIndex, to: index)
            lastIndex = index
            return lastOffset
        }
        var ranges: [Range<Int>] = []
        var cursor = 0
        guard let regex = try? Self.compile(pattern) else { return [0..<utf8.count] }  // compiled once in init
        for match in text.matches(of: regex) {
            let lower = offset(match.range.lowerBound)
            let upper = offset(match.range.upperBound)
            if lower > cursor { ranges.append(cursor..<lower) }
            if upper > lower { ranges.append(lower..<upper) }
            cursor = max(cursor, upper)
        }
        if cursor < utf8.count { ranges.append(cursor..<utf8.count) }
        return ranges
    }

    private static func compile(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        try Regex(pattern).matchingSemantics(.unicodeScalar)
    }
}
