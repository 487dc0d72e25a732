internal import Foundation
internal import CairnJSON

/// A Hugging Face `tokenizer.json` byte-level BPE tokenizer, as GPT-2, Qwen2 and Qwen3 ship.
///
/// Encoding follows `tokenizers`: added tokens are matched first (``SpecialTokenMatcher``); the text between
/// them is normalized (NFC when the file says so), split into pre-tokens (``PreTokenizer``), each pre-token's
/// UTF-8 bytes are merged by rank (``BPEModel``). Decoding maps each token back through the byte alphabet and
/// reads the bytes as UTF-8. Post-processors are not applied: Cairn's templates add every token themselves, as
/// LlamaFactory does with `add_special_tokens=False`.
///
/// Supported `tokenizer.json` features: `model.type: BPE` (merges as `"a b"` strings or `["a", "b"]` pairs,
/// `ignore_merges`), normalizer `null` or `NFC`, pre-tokenizer `Sequence[Split(Regex, Isolated), ByteLevel]` or
/// `ByteLevel(use_regex: true)`, decoder `ByteLevel`, added tokens without `lstrip`/`rstrip`/`single_word`.
/// Anything else is an error at load time rather than a silently different encoding.
public struct BPETokenizer: Tokenizer {
    public let specialTokens: [String: Int32]
    public let vocabularySize: Int
    /// The ids of added tokens marked `special` (skipped by Hugging Face's `skip_special_tokens`).
    public let controlTokenIDs: Set<Int32>

    private let model: BPEModel
    private let preTokenizer: PreTokenizer
    private let addsPrefixSpace: Bool
    private let normalizesNFC: Bool
    private let matcher: SpecialTokenMatcher
    /// The spelling of each id (vocabulary and added tokens).
    private let spellings: [String?]

    // MARK: - Loading

    /// Loads a `tokenizer.json` file, or the `tokenizer.json` inside a model folder.
    /// - Throws: ``DataError`` `.missingFile`, `.malformedFile` or `.invalidTokenizer`.
    public init(contentsOfFile path: String) throws(DataError) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let file = exists && isDirectory.boolValue ? DatasetSpec.EntryOptions.join(path, "tokenizer.json") : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DataError(.missingFile, file: file, exists ? "cannot read the tokenizer file" : "no such file")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse([UInt8](data), options: JSONParser.Options(skipsByteOrderMark: true))
        } catch {
            throw DataError(.malformedFile, file: file, line: error.line, column: error.column, error.message)
        }
        do {
            try self.init(json: json)
        } catch {
            var located = error
            located.file = file
            throw located
        }
    }

    /// Creates a tokenizer from the parsed contents of a `tokenizer.json`.
    /// - Throws: ``DataError`` `.invalidTokenizer` naming the unsupported or malformed field.
    init(json: JSONValue) throws(DataError) {
        let root = try TokenizerJSON.object(json, field: "")
        let modelObject = try TokenizerJSON.object(root["model"] ?? .null, field: "model")
        try TokenizerJSON.checkModelOptions(modelObject)
        let vocabulary = try TokenizerJSON.vocabulary(modelObject)
        let merges = try TokenizerJSON.merges(modelObject)
        model = try BPEModel(
            vocabulary: vocabulary, merges: merges, ignoreMerges: modelObject["ignore_merges"]?.boolValue ?? false)
        normalizesNFC = try TokenizerJSON.normalizesNFC(root["normalizer"] ?? .null)
        (preTokenizer, addsPrefixSpace) = try TokenizerJSON.preTokenizer(root["pre_tokenizer"] ?? .null)
        try TokenizerJSON.checkDecoder(root["decoder"] ?? .null)
        let added = try TokenizerJSON.addedTokens(root["added_tokens"] ?? .array([]))

        var tokens: [String: Int32] = [:]
        for token in added { tokens[token.content] = token.id }
        specialTokens = tokens
        controlTokenIDs = Set(added.filter(\.isSpecial).map(\.id))
        matcher = SpecialTokenMatcher(tokens: tokens)
        let largest = max(vocabulary.values.max() ?? -1, added.map(\.id).max() ?? -1)
        vocabularySize = Int(largest) + 1
        var spellings = [String?](repeating: nil, count: vocabularySize)
        for (spelling, id) in vocabulary { spellings[Int(id)] = spelling }
        for token in added { spellings[Int(token.id)] = token.content }
        self.spellings = spellings
    }

    // MARK: - Tokenizer

    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3)
        for piece in matcher.split(text) {
            switch piece {
            case .special(let id):
                ids.append(id)
            case .text(let segment):
                var normalized = normalizesNFC ? Self.nfc(segment) : segment
                if addsPrefixSpace, !normalized.hasPrefix(" ") { normalized = " " + normalized }
                let bytes = Array(normalized.utf8)
                for range in preTokenizer.split(normalized) { model.encode(bytes[range], appendingTo: &ids) }
            }
        }
        return ids
    }

    /// `text` in Unicode normalization form C.
    ///
    /// Text whose scalars are all below U+0300 (the first combining mark; no scalar below it changes under NFC)
    /// is returned as is: the check is a byte scan (a UTF-8 lead byte below 0xCC), and Foundation's
    /// normalization otherwise costs about half of encoding time.
    static func nfc(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0xCC } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// The text of `ids`; an id without a token decodes to U+FFFD.
    ///
    /// As `tokenizers`' `ByteLevel` decoder: a token whose every scalar is in the byte alphabet stands for those
    /// bytes; any other token (an added token such as `<think>` spelled outside the alphabet) for its own UTF-8.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard id >= 0, Int(id) < spellings.count, let spelling = spellings[Int(id)] else {
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                continue
            }
            bytes.append(contentsOf: ByteLevelAlphabet.bytes(of: spelling) ?? Array(spelling.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
