/// Splits text at special tokens: leftmost match first, the longest token when several start at one place.
///
/// This is how Hugging Face `tokenizers` extracts added tokens before running the model (an Aho–Corasick scan
/// with leftmost-longest semantics); a direct scan is enough for the handful of tokens a tokenizer adds.
struct SpecialTokenMatcher: Sendable {
    /// A piece of the split text.
    enum Piece: Equatable {
        /// Ordinary text, to be encoded by the model.
        case text(String)
        /// A special token's id.
        case special(Int32)
    }

    /// Token spellings as UTF-8, grouped by first byte, longest first.
    private let tokensByFirstByte: [UInt8: [(bytes: [UInt8], id: Int32)]]

    /// Creates a matcher for `tokens`; empty spellings are ignored.
    init(tokens: [String: Int32]) {
        var groups: [UInt8: [(bytes: [UInt8], id: Int32)]] = [:]
        for (spelling, id) in tokens where !spelling.isEmpty {
            let bytes = Array(spelling.utf8)
            groups[bytes[0], default: []].append((bytes, id))
        }
        for key in groups.keys {
            groups[key]?.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        }
        tokensByFirstByte = groups
    }

    /// The text cut into ordinary text and special tokens, in order; empty text pieces are omitted.
    func split(_ text: String) -> [Piece] {
        if tokensByFirstByte.isEmpty { return text.isEmpty ? [] : [.text(text)] }
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var textStart = 0
        var index = 0
        while index < bytes.count {
            guard let candidates = tokensByFirstByte[bytes[index]],
                let match = candidates.first(where: { matches($0.bytes, in: bytes, at: index) })
            else {
                index += 1
                continue
            }
            if textStart < index { pieces.append(.text(String(decoding: bytes[textStart..<index], as: UTF8.self))) }
            pieces.append(.special(match.id))
            index += match.bytes.count
            textStart = index
        }
        if textStart < bytes.count { pieces.append(.text(String(decoding: bytes[textStart...], as: UTF8.self))) }
        return pieces
    }

    private func matches(_ token: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index + token.count <= bytes.count else { return false }
        for offset in 0..<token.count where bytes[index + offset] != token[offset] { return false }
        return true
    }
}
