import CairnCore
import Foundation
import Testing

@testable import CairnData

/// One expected encoding from `Fixtures/make_bpe_fixture.py` (Hugging Face `tokenizers`).
private struct Expectation: Decodable, Sendable, CustomTestStringConvertible {
    var text: String
    var ids: [Int32]
    var decoded: String
    var pieces: [String]
    var testDescription: String { text.debugDescription }
}

private let bpeFolder = fixturesPath + "/bpe"

private let expectations: [Expectation] = {
    guard let data = FileManager.default.contents(atPath: bpeFolder + "/expected.json"),
        let decoded = try? JSONDecoder().decode([Expectation].self, from: data)
    else { return [] }
    return decoded
}()

private let fixtureTokenizer = Result { try BPETokenizer(contentsOfFile: bpeFolder + "/tokenizer.json") }

@Test func bpeFixtureIsPresent() throws {
    #expect(expectations.count == 250)
    let tokenizer = try fixtureTokenizer.get()
    #expect(tokenizer.vocabularySize == 609)
    #expect(tokenizer.specialTokenID("<|im_end|>") == 606)
    #expect(tokenizer.specialTokenID("<think>") == 607)
    #expect(tokenizer.controlTokenIDs == [604, 605, 606])
}

@Test(arguments: expectations)
private func bpeEncodingMatchesHuggingFaceTokenizers(expectation: Expectation) throws {
    let tokenizer = try fixtureTokenizer.get()
    #expect(tokenizer.encode(expectation.text) == expectation.ids)
    #expect(tokenizer.decode(expectation.ids) == expectation.decoded)
}

@Test(arguments: expectations)
private func qwen2SplitterMatchesOniguruma(expectation: Expectation) throws {
    let text = expectation.text.precomposedStringWithCanonicalMapping
    let bytes = Array(text.utf8)
    let pieces = Qwen2Splitter.split(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    #expect(pieces == expectation.pieces)
}

/// Swift `Regex` does not fold `ſ` (U+017F) to `s` under `(?i)` as Oniguruma does; the hand-written splitter
/// does, so only the generic path is excused for that string.
@Test(arguments: expectations.filter { !$0.text.contains("ſ") })
private func regexSplitterMatchesOnigurumaOnQwen2Pattern(expectation: Expectation) throws {
    let text = expectation.text.precomposedStringWithCanonicalMapping
    let bytes = Array(text.utf8)
    let splitter = try RegexSplitter(pattern: PreTokenizer.qwen2Pattern)
    let pieces = splitter.split(text).map { String(decoding: bytes[$0], as: UTF8.self) }
    #expect(pieces == expectation.pieces)
}

@Test func bpeTokenizerLoadsFromAModelFolder() throws {
    let tokenizer = try BPETokenizer(contentsOfFile: bpeFolder)
    #expect(tokenizer.encode("Hello world") == (try fixtureTokenizer.get()).encode("Hello world"))
    #expect(try TokenizerLoader.load(bpeFolder).vocabularySize == 609)
    #expect(try TokenizerLoader.load("byte").vocabularySize == 261)
}

/// A tokenizer.json with the 256 byte tokens, one merge and the given added tokens.
func minimalTokenizerJSON(
    addedTokens: String, preTokenizer: String = #"{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}"#,
    normalizer: String = "null", merges: String = #"[["h", "i"]]"#
) -> String {
    var vocab = ByteLevelAlphabet.scalarForByte.enumerated().map { "\(jsonString(String($0.element))): \($0.offset)" }
    vocab.append("\"hi\": 256")
    return """
        {"version": "1.0", "added_tokens": \(addedTokens), "normalizer": \(normalizer),
         "pre_tokenizer": \(preTokenizer), "post_processor": null, "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "byte_fallback": false,
                   "vocab": {\(vocab.joined(separator: ", "))}, "merges": \(merges)}}
        """
}

private func jsonString(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

@Test func bpeTokenizerReadsGPT2StylePreTokenizerAndStringMerges() throws {
    let tokenizer = try BPETokenizer(json: parseJSON(minimalTokenizerJSON(addedTokens: "[]", merges: #"["h i"]"#)))
    // GPT-2 split: "hi", " hi"; the vocabulary's byte ids equal the bytes, and "h i" merges to 256.
    #expect(tokenizer.encode("hi hi") == [256, 32, 256])
    #expect(tokenizer.decode([256, 32, 256]) == "hi hi")
}

@Test(arguments: [
    (#"{"type": "Whitespace"}"#, "null", "pre_tokenizer"),
    (#"{"type": "ByteLevel", "use_regex": true}"#, #"{"type": "Lowercase"}"#, "normalizer"),
])
func bpeTokenizerRejectsUnsupportedFeatures(preTokenizer: String, normalizer: String, field: String) throws {
    let json = try parseJSON(
        minimalTokenizerJSON(addedTokens: "[]", preTokenizer: preTokenizer, normalizer: normalizer))
    #expect { try BPETokenizer(json: json) } throws: { ($0 as? DataError)?.field == field }
}

@Test func bpeTokenizerRejectsMergesOutsideTheVocabulary() throws {
    let json = try parseJSON(minimalTokenizerJSON(addedTokens: "[]", merges: #"[["h", "i"], ["q", "z"]]"#))
    #expect(
        errorDescription { _ = try BPETokenizer(json: json) }
            == #"model.merges[1]: the merge "q z" uses a token that is not in the vocabulary"#)
}

@Test func bpeTokenizerReportsMissingAndMalformedFiles() throws {
    let folder = try TemporaryFolder()
    #expect(
        errorDescription { _ = try BPETokenizer(contentsOfFile: folder.path + "/x.json") }
            == "\(folder.path)/x.json: no such file")
    let bad = try folder.write("tokenizer.json", "{\"model\": }")
    #expect(
        errorDescription { _ = try BPETokenizer(contentsOfFile: bad) }
            == "\(bad):1:11: unexpected character '}', expected a value")
    #expect(
        errorDescription { _ = try BPETokenizer(contentsOfFile: folder.path) }
            == "\(bad):1:11: unexpected character '}', expected a value")
}
