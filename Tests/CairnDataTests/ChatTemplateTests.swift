import CairnCore
import Testing

@testable import CairnData

private let twoTurns = conversation(
    (.system, "Be brief."), (.user, "2+2?"), (.assistant, "4"), (.user, "3+3?"), (.assistant, "6"))

@Test func chatmlRendersTheExactText() {
    #expect(
        ChatTemplate(.chatml).render(twoTurns)
            == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\n3+3?<|im_end|>\n"
            + "<|im_start|>assistant\n6<|im_end|>\n")
}

@Test func qwen3NoThinkRendersTheExactText() {
    #expect(
        ChatTemplate(.qwen3NoThink).render(twoTurns)
            == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n<think>\n\n</think>\n\n4<|im_end|>\n<|im_start|>user\n3+3?<|im_end|>\n"
            + "<|im_start|>assistant\n<think>\n\n</think>\n\n6<|im_end|>\n")
}

@Test func qwen3NoThinkMatchesQwen3ChatTemplateForOneTurn() {
    // Qwen3's apply_chat_template for [user "Hi", assistant "Hello"] (any enable_thinking).
    #expect(
        ChatTemplate(.qwen3NoThink).render(conversation((.user, "Hi"), (.assistant, "Hello")))
            == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|im_end|>\n")
}

@Test func qwen3NoThinkRemovesReasoningFromAssistantContent() {
    let reasoning = conversation((.user, "Q"), (.assistant, "<think>\nlet me see\n</think>\n\nA<think>x</think>B"))
    #expect(
        ChatTemplate(.qwen3NoThink).render(reasoning)
            == "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nAB<|im_end|>\n")
}

/// The rendered tokens with loss marked `[…]`, decoded piece by piece, for readable expectations.
private func markedText(_ encoded: EncodedConversation, tokenizer: any Tokenizer) -> String {
    var text = ""
    var inLoss = false
    for (id, loss) in zip(encoded.tokenIDs, encoded.lossMask) {
        if loss != inLoss { text += loss ? "[" : "]" }
        inLoss = loss
        text += tokenizer.decode([id])
    }
    return inLoss ? text + "]" : text
}

@Test func onlyAssistantContentAndItsEndTokenCarryLoss() throws {
    let tokenizer = ByteTokenizer()
    let chatml = try ChatTemplate(.chatml).encode(twoTurns, with: tokenizer)
    #expect(
        markedText(chatml, tokenizer: tokenizer)
            == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n[4<|im_end|>]\n<|im_start|>user\n3+3?<|im_end|>\n"
            + "<|im_start|>assistant\n[6<|im_end|>]\n")
    let qwen3 = try ChatTemplate(.qwen3NoThink).encode(twoTurns, with: tokenizer)
    #expect(
        markedText(qwen3, tokenizer: tokenizer)
            == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n<think>\n\n</think>\n\n[4<|im_end|>]\n<|im_start|>user\n3+3?<|im_end|>\n"
            + "<|im_start|>assistant\n<think>\n\n</think>\n\n[6<|im_end|>]\n")
    let imEnd = try #require(tokenizer.specialTokenID(SpecialToken.imEnd))
    let lossIDs = zip(qwen3.tokenIDs, qwen3.lossMask).filter(\.1).map(\.0)
    #expect(lossIDs == [Int32(UInt8(ascii: "4")), imEnd, Int32(UInt8(ascii: "6")), imEnd])
    // The think tags are single special tokens with the byte tokenizer.
    #expect(qwen3.tokenIDs.contains(try #require(tokenizer.specialTokenID(SpecialToken.thinkStart))))
}

@Test func encodingEqualsEncodingTheRenderedText() throws {
    let tokenizer = ByteTokenizer()
    for kind in ChatTemplate.Kind.allCases {
        let template = ChatTemplate(kind)
        #expect(try template.encode(twoTurns, with: tokenizer).tokenIDs == tokenizer.encode(template.render(twoTurns)))
    }
}

@Test func templatesNeedTheChatMLSpecialTokens() throws {
    let bare = try BPETokenizer(json: parseJSON(minimalTokenizerJSON(addedTokens: "[]")))
    #expect(
        errorDescription { _ = try ChatTemplate(.chatml).encode(twoTurns, with: bare) }
            == "the chatml template needs the special token <|im_start|>, which this tokenizer does not have")
    #expect(
        errorDescription { _ = try ChatTemplate(named: "llama3") }
            == "template: unknown template 'llama3'; known templates: chatml, qwen3_nothink")
    #expect(try ChatTemplate(named: "qwen3_nothink") == ChatTemplate(.qwen3NoThink))
}

@Test func generationPromptOpensAnAssistantTurn() {
    let question = Conversation([ChatMessage(role: .user, content: "What is 2 plus 3?")])
    #expect(ChatTemplate(.chatml).generationPrompt(for: question)
            == "<|im_start|>user\nWhat is 2 plus 3?<|im_end|>\n<|im_start|>assistant\n")
    #expect(ChatTemplate(.qwen3NoThink).generationPrompt(for: question)
            == "<|im_start|>user\nWhat is 2 plus 3?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
}
