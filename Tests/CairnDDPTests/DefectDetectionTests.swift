import CairnConformance
import CairnCore
import CairnDDP
import Testing

/// The kit must fail a broken strategy, on the law that names the defect and only where the defect shows.
/// Plain SGD without clipping, because AdamW and clipping hide a uniform gradient scale.
@Suite(.serialized) struct DefectDetectionTests {
    static let sgd = StrategyConformance.Options(optimizer: .sgd(momentum: 0), learningRate: 0.2, maxGradNorm: 0)

    /// Step 1's update is half as large, so step 2's loss is the first that differs.
    @Test func averagingInsteadOfSummingFailsParityAndCompleteGradients() async {
        let failures = await StrategyConformance.check(
            AveragingDDPStrategy.self, configuration: .init(), worldSizes: [1, 2], options: Self.sgd,
            laws: [.parityWithSingle, .completeGradients])
        #expect(failures.contains { $0.law == .parityWithSingle && $0.worldSize == 2 && $0.step == 2 })
        #expect(failures.contains { $0.law == .completeGradients && $0.worldSize == 2 && $0.key != nil })
        #expect(failures.allSatisfy { $0.worldSize == 2 }, "dividing by one rank changes nothing: \(failures)")
        #expect(failures.contains { $0.description.contains("not the mean") }, "the failure points at the cause")
    }

    /// Step 2's update applies step 1's gradient again, so step 3's loss is the first that differs.
    @Test func forgettingToZeroGradientsFailsParityFromTheThirdStepAndConsistentReplicas() async {
        let failures = await StrategyConformance.check(
            GradientKeepingDDPStrategy.self, configuration: .init(), worldSizes: [1], options: Self.sgd,
            laws: [.parityWithSingle, .consistentReplicas])
        let parity = failures.filter { $0.law == .parityWithSingle && $0.key == nil }
        #expect(parity.compactMap(\.step).min() == 3, "the first two losses are still right: \(parity)")
        #expect(failures.contains { $0.law == .parityWithSingle && $0.key == "model.lm_head.weight" })
        #expect(failures.contains { $0.law == .consistentReplicas && $0.expected.contains("zero gradient") })
    }

    @Test func stateThatIsNotSavedFailsResumeButNotDeterminism() async {
        let failures = await StrategyConformance.check(
            ForgetfulDDPStrategy.self, configuration: .init(), worldSizes: [2], options: Self.sgd,
            laws: [.determinism, .resumeIsBitIdentical])
        #expect(!failures.contains { $0.law == .determinism })
        let resume = failures.filter { $0.law == .resumeIsBitIdentical }
        let firstStep = resume.compactMap { $0.key == nil ? $0.step : nil }.min()
        #expect(firstStep == Self.sgd.stopAfterStep + 2, "losses stay equal until the step after the first resumed update")
        #expect(resume.contains { $0.key?.rawValue.hasPrefix("model.") == true })
    }
}
