import CairnCore
import Foundation
import Testing

@testable import CairnData

/// Scalars that exercise every branch of Qwen2's expression: letters (ASCII, Latin-1, CJK, titlecase), numbers
/// (ASCII, Arabic-Indic, letter numbers), apostrophes and contraction letters, spaces, newlines, other
/// whitespace, punctuation, combining marks, emoji and format characters.
private let scalarPool: [Unicode.Scalar] =
    Array("aAsStTrReEvVmMlLdDxyzé你ǅſ0189١Ⅻ½'''   \n\n\r\t.,!?-_<>|()#@".unicodeScalars)
    + [0xA0, 0x3000, 0x85, 0x0B, 0x0C, 0x1C, 0x301, 0x1F389, 0x200B, 0xFEFF, 0x2028].map { Unicode.Scalar($0)! }

private func randomText(_ generator: inout PhiloxRandom) -> String {
    let length = Int(generator.next32() % 40)
    var scalars = String.UnicodeScalarView()
    for _ in 0..<length { scalars.append(scalarPool[Int(generator.next32() % UInt32(scalarPool.count))]) }
    return String(scalars)
}

@Test func qwen2SplitterAgreesWithTheExpressionOnRandomText() throws {
    var generator = PhiloxRandom(seed: 1, label: "qwen2-splitter-fuzz")
    let splitter = try RegexSplitter(pattern: PreTokenizer.qwen2Pattern)
    for _ in 0..<400 {
        let text = randomText(&generator)
        let bytes = Array(text.utf8)
        let pieces = Qwen2Splitter.split(bytes)
        // The pieces tile the text in order.
        #expect(pieces.first?.lowerBound ?? 0 == 0)
        #expect(pieces.last?.upperBound ?? 0 == bytes.count)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        // Swift Regex lacks Oniguruma's ſ → s case fold; elsewhere the two must agree.
        if !text.contains("ſ") { #expect(pieces == splitter.split(text), "\(text.debugDescription)") }
    }
}

@Test func bpeTokenizerRoundTripsRandomText() throws {
    let tokenizer = try BPETokenizer(contentsOfFile: fixturesPath + "/bpe/tokenizer.json")
    var generator = PhiloxRandom(seed: 2, label: "bpe-round-trip-fuzz")
    for _ in 0..<400 {
        let text = randomText(&generator)
        let ids = tokenizer.encode(text)
        #expect(ids.allSatisfy { (0..<Int32(tokenizer.vocabularySize)).contains($0) })
        #expect(tokenizer.decode(ids) == text.precomposedStringWithCanonicalMapping, "\(text.debugDescription)")
    }
}
