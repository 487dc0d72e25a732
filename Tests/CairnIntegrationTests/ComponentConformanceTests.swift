import Cairn
import CairnConformance
import CairnCore
import CairnData
import CairnOptim
import Testing

/// A parameter of four floats, zeroed before each step, with a gradient that depends on the step count: the
/// values after a step are then a pure function of the optimizer's state, so they are its output.
private func optimizerStep(_ optimizer: any Optimizer) throws -> [UInt32] {
    let key: StateKey = "model.w"
    let step = try optimizer.stateDict().int("state.model.w.step")
    let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
    let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
    defer {
        values.deallocate()
        gradient.deallocate()
    }
    values.initialize(repeating: 0)
    for i in 0..<4 { gradient[i] = Float(i + 1) * 0.1 * (step % 2 == 0 ? 1 : -0.5) + Float(step) * 0.01 }
    try optimizer.step(
        [ParameterShard(key: key, layout: .replicated([4]), values: values, gradient: gradient)], learningRate: 1e-2)
    return values.map(\.bitPattern)
}

private func prepared<O: Optimizer>(_ optimizer: O) throws -> O {
    try optimizer.prepare(for: [(key: "model.w", layout: .replicated([4]))])
    return optimizer
}

private let samples: [TokenizedSample] = (0..<11).map { index in
    let length = 2 + index % 4
    return TokenizedSample(
        inputIDs: (0..<length).map { Int32(index * 10 + $0) }, targets: (0..<length).map { Int32($0 % 3 == 0 ? -100 : $0) })
}

@Suite struct ComponentConformanceTests {
    @Test func adamWSatisfiesTheLaws() {
        StatefulComponentConformance.verify(
            make: { try prepared(AdamW(.init(weightDecay: 0.01))) }, advance: { try optimizerStep($0) })
    }

    @Test func sgdSatisfiesTheLaws() {
        StatefulComponentConformance.verify(
            make: { try prepared(SGD(momentum: 0.9, weightDecay: 0.01)) }, advance: { try optimizerStep($0) })
    }

    @Test(arguments: LearningRateSchedule.Kind.allCases)
    func learningRateScheduleSatisfiesTheLaws(kind: LearningRateSchedule.Kind) {
        StatefulComponentConformance.verify(
            steps: 4,
            make: { LearningRateSchedule(kind: kind, baseLearningRate: 1e-3, warmupSteps: 2, totalSteps: 9, minimumRatio: 0.1) },
            advance: { schedule -> Double in
                defer { schedule.advance() }
                return schedule.currentLearningRate
            })
    }

    @Test(arguments: [(4, 2), (3, 1), (8, 4)])
    func batchGeneratorSatisfiesTheLaws(global: Int, micro: Int) {
        StatefulComponentConformance.verify(
            steps: 4,
            make: { try BatchGenerator(samples: samples, seed: 5, globalBatchSize: global, microBatchSize: micro, padTokenID: 0) },
            advance: { try $0.nextStep(rank: 0, worldSize: 1) })
    }

    @Test func trainStateSatisfiesTheLaws() {
        StatefulComponentConformance.verify(
            make: { TrainState() },
            advance: { state in
                state.globalStep += 1
                state.samplesSeen += 8
                state.tokensSeen += 100 + state.globalStep
                state.epoch += 0.125
            })
    }

    @Test(arguments: [0, 3])
    func randomStateSatisfiesTheLaws(rank: Int) {
        StatefulComponentConformance.verify(
            steps: 5, make: { RandomState(seed: 77, rank: rank) },
            advance: { random in (0..<(1 + Int(random.generator.blockCounter % 3))).map { _ in random.generator.next32() } })
    }

    @Test func minimalStatefulComponentSatisfiesTheLawsAndCountsCalls() {
        StatefulComponentConformance.verify(make: { MinimalStatefulComponent() }, advance: { $0.advance() })
        let component = MinimalStatefulComponent()
        component.advance()
        _ = try? component.stateDict()
        try? component.loadStateDict(StateDict())
        #expect(component.stateDictCallCount == 1 && component.loadCallCount == 1 && component.count == 1)
    }

    @Test func theKitCatchesABrokenComponent() {
        let failures = StatefulComponentConformance.check(make: { ForgetfulComponent() }, advance: { $0.advance() })
        #expect(Set(failures.map(\.law)) == [.roundTrip, .resumeEquivalence, .rejectsUnexpectedKeys, .rejectsMissingKeys, .canonicalKeys])
        let resume = failures.first { $0.law == .resumeEquivalence }
        #expect(resume?.step != nil && resume?.description.contains("ForgetfulComponent") == true)
    }
}

/// Breaks every law: forgets its bonus on load, accepts any key, and names a rank in a key.
private final class ForgetfulComponent: StatefulComponent {
    var count: Int64 = 0
    var bonus: Int64 = 0

    func advance() -> Int64 {
        count += 1
        bonus += count
        return count + bonus
    }

    func stateDict() throws -> StateDict {
        StateDict([("count", .int(count)), ("bonus", .int(bonus)), ("rank0_cache", .int(1))])
    }

    func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        count = (try? dict.int("count")) ?? count + 100
    }
}
