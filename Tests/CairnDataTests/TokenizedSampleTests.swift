import Testing

@testable import CairnData

private let encoded = EncodedConversation(
    tokenIDs: [10, 11, 12, 13, 14, 15], lossMask: [false, false, false, true, true, false])

@Test func tokenizedSampleShiftsTargetsByOne() {
    let sample = TokenizedSample(encoded: encoded, cutoffLength: 100)
    #expect(sample.inputIDs == [10, 11, 12, 13, 14])
    #expect(sample.targets == [-100, -100, 13, 14, -100])
    #expect(sample.lossTokenCount == 2)
}

@Test func truncationKeepsTheLabelJustAfterTheCut() {
    let cut = TokenizedSample(encoded: encoded, cutoffLength: 3)
    #expect(cut.inputIDs == [10, 11, 12])
    #expect(cut.targets == [-100, -100, 13])
    let tooShort = TokenizedSample(encoded: encoded, cutoffLength: 2)
    #expect(tooShort.targets == [-100, -100])
    #expect(tooShort.lossTokenCount == 0)
}
