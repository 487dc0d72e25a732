/// Byte-level BPE merges over token ids: the model part of a GPT-2/Qwen2-style tokenizer.
///
/// A pre-token starts as one symbol per byte (the vocabulary id of the byte's ``ByteLevelAlphabet`` spelling).
/// Then, repeatedly, the adjacent pair whose merge has the lowest rank (the earliest line of `merges`) becomes
/// one symbol, leftmost first among equal ranks, until no adjacent pair has a merge (Sennrich et al. 2016; the
/// order Hugging Face `tokenizers` applies).
struct BPEModel: Sendable {
    /// A merge's rank (priority, lower first) and the id of the merged token.
    struct Merge: Sendable {
        var rank: Int32
        var result: Int32
    }

    /// The id of each byte's single-symbol token.
    let byteTokenIDs: [Int32]
    /// Merges keyed by `left << 32 | right`.
    private let merges: [UInt64: Merge]
    /// When set, a pre-token that is itself in the vocabulary is one token before any merge (Llama 3 style).
    private let vocabulary: [String: Int32]?

    /// Creates the model from a vocabulary and ordered merge pairs.
    /// - Throws: ``DataError`` `.invalidTokenizer` when a byte has no token, or a merge names a token missing from
    ///   the vocabulary.
    init(vocabulary: [String: Int32], merges pairs: [(String, String)], ignoreMerges: Bool) throws(DataError) {
        var byteIDs: [Int32] = []
        for byte in 0..<256 {
            let spelling = String(ByteLevelAlphabet.scalarForByte[byte])
            guard let id = vocabulary[spelling] else {
                throw DataError(
                    .invalidTokenizer, field: "model.vocab",
                    "not a byte-level vocabulary: byte 0x\(String(byte, radix: 16)) (spelled \(spelling)) has no token")
            }
            byteIDs.append(id)
        }
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(pairs.count)
        for (rank, (left, right)) in pairs.enumerated() {
            guard let leftID = vocabulary[left], let rightID = vocabulary[right],
                let resultID = vocabulary[left + right]
            else {
                throw DataError(
                    .invalidTokenizer, field: "model.merges[\(rank)]",
                    "the merge \"\(left) \(right)\" uses a token that is not in the vocabulary")
            }
            let key = Self.key(leftID, rightID)
            if table[key] == nil { table[key] = Merge(rank: Int32(rank), result: resultID) }
        }
        byteTokenIDs = byteIDs
        merges = table
        self.vocabulary = ignoreMerges ? vocabulary : nil
    }

    /// The token ids of one pre-token given as UTF-8 bytes.
    /// - Complexity: O(*n*²) in the pre-token's length *n* (pre-tokens are short).
    func encode(_ bytes: some Collection<UInt8>, appendingTo ids: inout [Int32]) {
        if let vocabulary, let id = vocabulary[ByteLevelAlphabet.spell(bytes)] {
            ids.append(id)
            return
        }
        var symbols = bytes.map { byteTokenIDs[Int($0)] }
        while symbols.count > 1 {
            var best: (index: Int, merge: Merge)?
            for index in 0..<(symbols.count - 1) {
                if let merge = merges[Self.key(symbols[index], symbols[index + 1])],
                    best == nil || merge.rank < best!.merge.rank
                {
                    best = (index, merge)
                }
            }
            guard let (index, merge) = best else { break }
            symbols[index] = merge.result
            symbols.remove(at: index + 1)
        }
        ids.append(contentsOf: symbols)
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}
