import Testing

@testable import CairnData

@Test func byteTokenizerRoundTripsAnyText() {
    let tokenizer = ByteTokenizer()
    for text in [
        "", "hello", "你好, 🎉 e\u{301}", "\u{0}\u{1}\t\r\n", "<|im_start|>user\nhi<|im_end|>", "<|im_sta", "<think",
    ] {
        let ids = tokenizer.encode(text)
        #expect(tokenizer.decode(ids) == text)
        #expect(ids.allSatisfy { (0..<Int32(tokenizer.vocabularySize)).contains($0) })
    }
}

@Test func byteTokenizerHasFixedSpecialIDs() {
    let tokenizer = ByteTokenizer()
    #expect(tokenizer.vocabularySize == 261)
    #expect(
        tokenizer.specialTokens
            == ["<|endoftext|>": 256, "<|im_start|>": 257, "<|im_end|>": 258, "<think>": 259, "</think>": 260])
    #expect(tokenizer.paddingTokenID == 256)
    #expect(tokenizer.encode("a<|im_end|>é") == [97, 258, 0xC3, 0xA9])
    #expect(tokenizer.encode("<think>\n\n</think>") == [259, 10, 10, 260])
    #expect(tokenizer.decode([104, 105, 999, -1]) == "hi\u{FFFD}\u{FFFD}")
}

@Test func specialTokenMatcherPrefersLeftmostThenLongest() {
    let matcher = SpecialTokenMatcher(tokens: ["<a>": 1, "<a>b": 2, "b<": 3])
    #expect(matcher.split("x<a>b<a>") == [.text("x"), .special(2), .special(1)])
    #expect(matcher.split("b<a>") == [.special(3), .text("a>")])
    #expect(matcher.split("") == [])
}
