import CairnCore
import Testing

@testable import CairnData

/// Samples of distinct lengths whose first token is their index, so batches can be checked by content.
private func makeSamples(_ count: Int) -> [TokenizedSample] {
    (0..<count).map { index in
        let length = 1 + index % 5
        return TokenizedSample(
            inputIDs: [Int32(index)] + Array(repeating: 7, count: length - 1),
            targets: (0..<length).map { $0 % 2 == 0 ? Int32(index % 100) : TokenizedSample.ignoreIndex })
    }
}

private func makeGenerator(count: Int = 10, global: Int = 4, micro: Int = 2, seed: UInt64 = 42) throws -> BatchGenerator
{
    try BatchGenerator(
        samples: makeSamples(count), seed: seed, globalBatchSize: global, microBatchSize: micro, padTokenID: -1)
}

/// The global batch's sample indices as the union of every rank's micro-batches, in stream order.
private func globalIndices(of steps: [StepBatch], worldSize: Int, micro: Int) -> [Int] {
    let accumulation = steps[0].microBatches.count
    var indices: [Int] = []
    for step in 0..<accumulation {
        for rank in 0..<worldSize { indices += steps[rank].microBatches[step].sampleIndices.prefix(micro) }
    }
    return indices
}

@Test func epochOrderIsAPermutationAndAPureFunctionOfSeedAndEpoch() {
    let order = EpochPermutation.order(seed: 7, epoch: 3, count: 1000)
    #expect(order.sorted() == Array(0..<1000))
    #expect(order != Array(0..<1000))
    #expect(EpochPermutation.order(seed: 7, epoch: 3, count: 1000) == order)
    #expect(EpochPermutation.order(seed: 7, epoch: 4, count: 1000) != order)
    #expect(EpochPermutation.order(seed: 8, epoch: 3, count: 1000) != order)
    #expect(EpochPermutation.order(seed: 7, epoch: 0, count: 1) == [0])
    #expect(EpochPermutation.order(seed: 7, epoch: 0, count: 0) == [])
}

@Test func epochOrderMatchesTheIndependentReference() {
    // Golden values from Fixtures/epoch_order_reference.py, a separate Python implementation of Philox4x32-10,
    // the stream label, Lemire's bounded integers and Fisher–Yates. A change here changes every run's data order.
    #expect(EpochPermutation.order(seed: 42, epoch: 0, count: 10) == [8, 4, 7, 3, 1, 9, 2, 6, 5, 0])
    #expect(
        EpochPermutation.order(seed: 7, epoch: 3, count: 1000).prefix(10)
            == [415, 775, 174, 129, 108, 597, 750, 959, 301, 67])
}

@Test func streamIsTheConcatenationOfEpochPermutations() throws {
    let generator = try makeGenerator(count: 10, global: 4, micro: 2)
    var consumed: [Int] = []
    for _ in 0..<5 {
        let step = try generator.nextStep(rank: 0, worldSize: 1)
        consumed += step.microBatches.flatMap(\.sampleIndices)
    }
    #expect(
        consumed == EpochPermutation.order(seed: 42, epoch: 0, count: 10)
            + EpochPermutation.order(seed: 42, epoch: 1, count: 10))
    #expect(generator.samplesConsumed == 20)
    #expect(generator.epoch == 2.0)
    #expect(generator.stepsPerEpoch == 2.5)
}

@Test func microBatchesArePaddedToTheirLongestSample() throws {
    let generator = try makeGenerator(count: 10, global: 4, micro: 2)
    let step = try generator.nextStep(rank: 0, worldSize: 1)
    for batch in step.microBatches {
        let samples = batch.sampleIndices.map { makeSamples(10)[$0] }
        let length = samples.map(\.count).max()!
        #expect(batch.batchSize == 2)
        #expect(batch.sequenceLength == length)
        for (row, sample) in samples.enumerated() {
            let inputs = Array(batch.inputIDs[(row * length)..<((row + 1) * length)])
            let targets = Array(batch.targets[(row * length)..<((row + 1) * length)])
            #expect(inputs == sample.inputIDs + Array(repeating: -1, count: length - sample.count))
            #expect(targets == sample.targets + Array(repeating: -100, count: length - sample.count))
        }
        #expect(batch.lossTokenCount == samples.reduce(0) { $0 + $1.lossTokenCount })
    }
    #expect(step.globalLossTokenCount == step.microBatches.reduce(0) { $0 + $1.lossTokenCount })
}

@Test(arguments: [1, 2, 3, 4])
func ranksTogetherCoverTheSameGlobalBatchAtEveryWorldSize(worldSize: Int) throws {
    let global = 24
    let micro = 2
    let reference = try makeGenerator(count: 17, global: global, micro: micro)
    let generators = try (0..<worldSize).map { _ in try makeGenerator(count: 17, global: global, micro: micro) }
    for _ in 0..<4 {
        let expected = try reference.nextStep(rank: 0, worldSize: 1)
        let steps = try generators.enumerated().map { try $0.element.nextStep(rank: $0.offset, worldSize: worldSize) }
        #expect(steps.allSatisfy { $0.microBatches.count == global / (micro * worldSize) })
        #expect(
            globalIndices(of: steps, worldSize: worldSize, micro: micro)
                == expected.microBatches.flatMap(\.sampleIndices))
        #expect(steps.allSatisfy { $0.globalLossTokenCount == expected.globalLossTokenCount })
        #expect(steps.allSatisfy { $0.samplesConsumedAfter == expected.samplesConsumedAfter })
        #expect(steps.allSatisfy { $0.epochAfter == expected.epochAfter })
        #expect(generators.allSatisfy { $0.stateDict() == reference.stateDict() })
    }
}

@Test func rankSlicesFollowTheDocumentedFormula() throws {
    // G = 8, m = 2, W = 2: rank r's micro-step a takes positions [a·4 + r·2, a·4 + r·2 + 2).
    let reference = try makeGenerator(count: 20, global: 8, micro: 2)
    let stream = (0..<8).map { reference.sampleIndex(atStreamPosition: $0) }
    let rankOne = try makeGenerator(count: 20, global: 8, micro: 2).nextStep(rank: 1, worldSize: 2)
    #expect(rankOne.microBatches.map(\.sampleIndices) == [[stream[2], stream[3]], [stream[6], stream[7]]])
}

@Test func invalidWorldSizesAndRanksAreErrorsThatLeaveTheCursor() throws {
    let generator = try makeGenerator(count: 10, global: 12, micro: 2)
    #expect(
        errorDescription { _ = try generator.nextStep(rank: 0, worldSize: 4) }
            == "global_batch_size: 12 is not a multiple of micro_batch_size 2 × world_size 4 = 8; "
            + "choose a global batch size that is")
    #expect(errorDescription { _ = try generator.nextStep(rank: 3, worldSize: 3) } == "rank 3 is outside 0..<3")
    #expect(generator.samplesConsumed == 0)
    #expect(throws: DataError.self) { try makeGenerator(global: 5, micro: 2) }
    #expect(throws: DataError.self) {
        try BatchGenerator(samples: [], seed: 0, globalBatchSize: 2, microBatchSize: 1, padTokenID: 0)
    }
}

@Test(arguments: [
    (1, 1),  // mid-epoch: 4 of 10 consumed
    (2, 1),  // 8 of 10: the next batch spans the epoch boundary
    (3, 2),  // 12: inside epoch 1, resumed at another world size
    (5, 4),  // 20: exactly at an epoch boundary
])
func restoredGeneratorContinuesIdentically(stepsBeforeSave: Int, resumeWorldSize: Int) throws {
    let uninterrupted = try makeGenerator(count: 10, global: 4, micro: 1)
    let interrupted = try makeGenerator(count: 10, global: 4, micro: 1)
    for _ in 0..<stepsBeforeSave {
        _ = try uninterrupted.nextStep(rank: 0, worldSize: 1)
        _ = try interrupted.nextStep(rank: 0, worldSize: 2)
    }
    let saved = interrupted.stateDict()
    #expect(saved == uninterrupted.stateDict())
    let restored = try (0..<resumeWorldSize).map { _ in try makeGenerator(count: 10, global: 4, micro: 1) }
    for generator in restored { try generator.loadStateDict(saved) }
    #expect(restored[0].stateDict() == saved)
    #expect(restored[0].epoch == uninterrupted.epoch)
    for _ in 0..<6 {
        let expected = try uninterrupted.nextStep(rank: 0, worldSize: 1)
        let steps = try restored.enumerated().map {
            try $0.element.nextStep(rank: $0.offset, worldSize: resumeWorldSize)
        }
        #expect(
            globalIndices(of: steps, worldSize: resumeWorldSize, micro: 1)
                == expected.microBatches.flatMap(\.sampleIndices))
        if resumeWorldSize == 1 { #expect(steps[0] == expected) }
    }
}

@Test func stateUsesCanonicalKeysAndLoadsStrictly() throws {
    let generator = try makeGenerator()
    _ = try generator.nextStep(rank: 0, worldSize: 2)
    let state = generator.stateDict()
    #expect(state.keys == ["dataset_size", "samples_consumed"])
    #expect(state["samples_consumed"] == .int(4))
    #expect(state["dataset_size"] == .int(10))

    let fresh = try makeGenerator()
    var extra = state
    extra["buffer"] = .ints([1, 2])
    #expect { try fresh.loadStateDict(extra) } throws: { ($0 as? StateDictError)?.code == .unexpectedKey }
    var missing = state
    missing["samples_consumed"] = nil
    #expect { try fresh.loadStateDict(missing) } throws: { ($0 as? StateDictError)?.code == .missingKey }
    var wrongType = state
    wrongType["samples_consumed"] = .double(4)
    #expect { try fresh.loadStateDict(wrongType) } throws: { ($0 as? StateDictError)?.code == .wrongType }
    var otherData = state
    otherData["dataset_size"] = .int(11)
    #expect { try fresh.loadStateDict(otherData) } throws: { ($0 as? StateDictError)?.code == .invalidValue }
    var negative = state
    negative["samples_consumed"] = .int(-1)
    #expect { try fresh.loadStateDict(negative) } throws: { ($0 as? StateDictError)?.code == .invalidValue }
    #expect(fresh.samplesConsumed == 0)

    try fresh.loadStateDict(extra, options: .allowUnexpectedKeys)
    #expect(fresh.samplesConsumed == 4)
    let other = try makeGenerator()
    try other.loadStateDict(missing, options: .allowMissingKeys)
    #expect(other.samplesConsumed == 0)
}

@Test func generatorRegistersUnderTheDataloaderNamespace() throws {
    let registry = StateRegistry()
    let generator = try makeGenerator()
    try registry.register(generator, under: .dataloader)
    _ = try generator.nextStep(rank: 0, worldSize: 1)
    let state = try registry.stateDict()
    #expect(state.keys == ["dataloader.dataset_size", "dataloader.samples_consumed"])
    let resumed = StateRegistry()
    let fresh = try makeGenerator()
    try resumed.register(fresh, under: .dataloader)
    try resumed.load(state)
    #expect(fresh.samplesConsumed == 4)
}
