import CairnCore
import CairnTensor
import Testing

@Suite struct OperationProfileTests {
    @Test func profileCountsForwardAndBackwardCallsPerOp() async throws {
        let x = Tensor(shape: [4, 3], values: TestData.uniform(12, label: "profile"))
        x.requiresGrad = true
        let w = Tensor(shape: [2, 3], values: TestData.uniform(6, label: "profile-w"))
        let profile = OperationProfile()
        try await profile.measure {
            let tape = Tape()
            let loss = tape.record { sum(linear(linear(x, weight: w), weight: w.reshaped([3, 2]))) }
            try await tape.backward(from: loss)
        }
        #expect(profile.forward["linear"]?.calls == 2)
        #expect(profile.backward["linear"]?.calls == 2)
        #expect(profile.forward["sum"]?.calls == 1 && profile.backward["sum"]?.calls == 1)
        #expect(profile.report.contains("linear 2"))
        let unprofiled = OperationProfile()
        _ = sum(x)
        #expect(unprofiled.forward.isEmpty)
    }
}
