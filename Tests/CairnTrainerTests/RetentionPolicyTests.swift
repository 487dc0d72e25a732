import CairnCore
import CairnTrainer
import Testing

@Suite struct RetentionPolicyTests {
    private func listing(_ step: Int, at time: Double, committed: Bool = true) -> CheckpointListing {
        CheckpointListing(id: CheckpointID(step: step), isCommitted: committed, savedAt: time, location: "checkpoint-\(step)")
    }

    @Test func keepsTheNewestBySaveTimeNotByStep() {
        // checkpoint-50 was saved last (a run resumed from 30 and saved 40, 50 again after an older 60).
        let listings = [listing(30, at: 1), listing(60, at: 2), listing(40, at: 3), listing(50, at: 4)]
        let policy = RetentionPolicy(totalLimit: 2, keepEvery: nil)
        #expect(Set(policy.checkpointsToDelete(listings, protected: nil)) == [CheckpointID(step: 30), CheckpointID(step: 60)])
    }

    @Test func keepEveryAndProtectedSurvive() {
        let listings = (1...6).map { listing($0 * 10, at: Double($0)) }
        let policy = RetentionPolicy(totalLimit: 1, keepEvery: 20)
        let deleted = policy.checkpointsToDelete(listings, protected: CheckpointID(step: 30))
        #expect(Set(deleted) == [CheckpointID(step: 10), CheckpointID(step: 50)])
    }

    @Test func uncommittedAndUnlimitedAreLeftAlone() {
        let listings = [listing(10, at: 1), listing(20, at: 2, committed: false)]
        #expect(RetentionPolicy(totalLimit: nil, keepEvery: nil).checkpointsToDelete(listings, protected: nil).isEmpty)
        #expect(RetentionPolicy(totalLimit: 1, keepEvery: nil).checkpointsToDelete(listings, protected: nil).isEmpty)
    }
}
