import CairnCore
import CairnOptim
import Foundation
import Testing

@Suite struct LearningRateScheduleTests {
    /// The values transformers' `get_cosine_schedule_with_warmup(W=1, N=3)` gives (the parity fixture's schedule).
    @Test func cosineWithWarmupMatchesTransformers() {
        let schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-2, warmupSteps: 1, totalSteps: 3)
        #expect(schedule.learningRate(afterSteps: 0) == 0)
        #expect(schedule.learningRate(afterSteps: 1) == 1e-2)
        #expect(abs(schedule.learningRate(afterSteps: 2) - 5e-3) < 1e-15)
        #expect(schedule.learningRate(afterSteps: 3) < 1e-15)
    }

    @Test func linearDecaysToZeroAfterWarmup() {
        let schedule = LearningRateSchedule(kind: .linear, baseLearningRate: 1, warmupSteps: 2, totalSteps: 10)
        #expect(schedule.learningRate(afterSteps: 1) == 0.5)
        #expect(schedule.learningRate(afterSteps: 2) == 1)
        #expect(schedule.learningRate(afterSteps: 6) == 0.5)
        #expect(schedule.learningRate(afterSteps: 10) == 0)
        #expect(schedule.learningRate(afterSteps: 12) == 0)
    }

    @Test func constantKeepsThePeakAfterWarmup() {
        let schedule = LearningRateSchedule(kind: .constant, baseLearningRate: 3e-4, warmupSteps: 4, totalSteps: 100)
        #expect(schedule.learningRate(afterSteps: 2) == 1.5e-4)
        #expect(schedule.learningRate(afterSteps: 50) == 3e-4)
    }

    @Test func minimumRatioFloorsTheCosine() {
        let schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 1, warmupSteps: 0, totalSteps: 10,
                                            minimumRatio: 0.1)
        #expect(schedule.learningRate(afterSteps: 0) == 1)
        #expect(abs(schedule.learningRate(afterSteps: 5) - 0.55) < 1e-12)
        #expect(abs(schedule.learningRate(afterSteps: 10) - 0.1) < 1e-12)
    }

    @Test func scheduleStateRoundTripsAndRejectsGarbage() throws {
        let schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 1, warmupSteps: 2, totalSteps: 20)
        for _ in 0..<7 { schedule.advance() }
        let fresh = LearningRateSchedule(kind: .cosine, baseLearningRate: 1, warmupSteps: 2, totalSteps: 20)
        try fresh.loadStateDict(schedule.stateDict())
        #expect(fresh.stepsTaken == 7)
        #expect(fresh.currentLearningRate == schedule.currentLearningRate)
        #expect(throws: StateDictError.self) { try fresh.loadStateDict(StateDict([("steps_taken", .int(-1))])) }
        #expect(throws: StateDictError.self) {
            try fresh.loadStateDict(StateDict([("steps_taken", .int(1)), ("extra", .int(1))]))
        }
    }
}
