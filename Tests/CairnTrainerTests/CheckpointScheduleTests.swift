import CairnTrainer
import Testing

@Suite struct CheckpointScheduleTests {
    @Test func savesEveryStepsAndAtTheEnd() {
        let schedule = CheckpointSchedule(saveSteps: 10, saveEpochs: nil, saveOnEpochEnd: false, totalSteps: 25)
        let saved = (1...25).filter { schedule.reason(afterStep: $0, epochBefore: 0, epochAfter: 0, stopRequested: false) != nil }
        #expect(saved == [10, 20, 25])
        #expect(schedule.reason(afterStep: 25, epochBefore: 0, epochAfter: 0, stopRequested: false) == .end)
    }

    /// 10 samples per epoch, 4 per step: half-epoch boundaries fall inside steps 2, 3, 4, 5, …
    @Test func savesWhenTheEpochCrossesAFraction() {
        let schedule = CheckpointSchedule(saveSteps: nil, saveEpochs: 0.5, saveOnEpochEnd: false, totalSteps: 100)
        var saved: [Int] = []
        for step in 1...10 {
            let before = Double((step - 1) * 4) / 10
            let after = Double(step * 4) / 10
            if schedule.reason(afterStep: step, epochBefore: before, epochAfter: after, stopRequested: false) != nil {
                saved.append(step)
            }
        }
        #expect(saved == [2, 3, 4, 5, 7, 8, 9, 10])
    }

    @Test func epochEndAndExactBoundaries() {
        let schedule = CheckpointSchedule(saveSteps: nil, saveEpochs: nil, saveOnEpochEnd: true, totalSteps: 100)
        // Exactly 1.0 after step 5 (5 steps × 0.2 epochs, rounding included) counts as the end of epoch 1.
        var epoch = 0.0
        var saved: [Int] = []
        for step in 1...11 {
            let before = epoch
            epoch += 0.2
            if schedule.reason(afterStep: step, epochBefore: before, epochAfter: epoch, stopRequested: false) == .epochEnd {
                saved.append(step)
            }
        }
        #expect(saved == [5, 10])
    }

    @Test func aStopRequestAlwaysSaves() {
        let schedule = CheckpointSchedule(saveSteps: nil, saveEpochs: nil, saveOnEpochEnd: false, totalSteps: 100)
        #expect(schedule.reason(afterStep: 7, epochBefore: 0, epochAfter: 0, stopRequested: false) == nil)
        #expect(schedule.reason(afterStep: 7, epochBefore: 0, epochAfter: 0, stopRequested: true) == .stop)
    }
}
