import Testing

@testable import CairnData

@Test func tokenizedDatasetDropsAndCountsSamplesWithoutLossAfterTruncation() throws {
    let long = DatasetSample(
        conversation: conversation((.user, String(repeating: "x", count: 40)), (.assistant, "y")),
        source: SampleSource(dataset: "d", file: "f", line: 1, index: 0))
    let short = DatasetSample(
        conversation: conversation((.user, "q"), (.assistant, "a")),
        source: SampleSource(dataset: "d", file: "f", line: 2, index: 1))
    let dataset = try TokenizedDataset(
        [long, short, long], template: ChatTemplate(.chatml), tokenizer: ByteTokenizer(), cutoffLength: 30)
    #expect(dataset.conversationCount == 3)
    #expect(dataset.droppedSampleCount == 2)
    #expect(dataset.truncatedSampleCount == 2)
    #expect(dataset.samples.count == 1)
    #expect(dataset.sources.map(\.line) == [2])
    // <|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n[a<|im_end|>]\n: 1+5+1+1+1+1+10 inputs before "a".
    #expect(dataset.samples[0].targets.filter { $0 != -100 } == [97, 258])
    #expect(dataset.samples[0].count == 22)
    #expect(
        errorDescription {
            _ = try TokenizedDataset(
                [long], template: ChatTemplate(.chatml), tokenizer: ByteTokenizer(), cutoffLength: 30)
        } == "none of the 1 samples keeps a loss-bearing token within cutoff_len 30")
}

@Test func demoDatasetFitsInSixtyFourTokens() throws {
    let dataset = try TokenizedDataset.load(
        specFile: repositoryRoot + "/Examples/data/demo.yaml", template: ChatTemplate(.qwen3NoThink),
        tokenizer: ByteTokenizer(), cutoffLength: 64)
    #expect(dataset.samples.count == 428)
    #expect(dataset.droppedSampleCount == 0)
    #expect(dataset.truncatedSampleCount == 0)
    #expect(dataset.samples.map(\.count).max() == 52)
    let first = dataset.samples[0]
    #expect(ByteTokenizer().decode(first.inputIDs).hasPrefix("<|im_start|>user\nWhat is 0 plus 0?<|im_end|>"))
    #expect(first.targets.filter { $0 != -100 } == [Int32(UInt8(ascii: "0")), 258])
}
