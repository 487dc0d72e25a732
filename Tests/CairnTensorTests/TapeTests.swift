import CairnCore
import CairnTensor
import Testing

@Suite struct TapeTests {
    @Test func markersAreReachedInReverseOrderInterleavedWithBackward() async throws {
        let w = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        w.requiresGrad = true
        let x = Tensor(shape: [1, 2], values: [1, 1])
        let tape = Tape()
        let loss = tape.record { () -> Tensor in
            tape.mark(.unitBegin(0))
            let h = linear(x, weight: w)
            tape.mark(.unitEnd(0))
            tape.mark(.unitBegin(1))
            let y = linear(h, weight: w)
            tape.mark(.unitEnd(1))
            return sum(y)
        }
        var seen: [TapeMarker] = []
        var gradientSeenAtUnitBegin1: [Float]?
        try await tape.backward(from: loss) { marker in
            seen.append(marker)
            // Unit 1's backward has run when its begin marker is reached, unit 0's has not.
            if marker == .unitBegin(1) { gradientSeenAtUnitBegin1 = w.grad?.scalars }
        }
        #expect(seen == [.unitEnd(1), .unitBegin(1), .unitEnd(0), .unitBegin(0)])
        // d/dW of sum(W (W x)) after the second linear only: dy = 1, h = W x = [3, 7] → dW = 1 ⊗ h.
        #expect(gradientSeenAtUnitBegin1 == [3, 7, 3, 7])
    }

    @Test func leafGradientsAccumulateAcrossTwoBackwardPasses() async throws {
        let w = Tensor(shape: [3, 2], values: TestData.uniform(6, label: "acc-w"))
        w.requiresGrad = true
        let x1 = Tensor(shape: [4, 2], values: TestData.uniform(8, label: "acc-x1"))
        let x2 = Tensor(shape: [4, 2], values: TestData.uniform(8, label: "acc-x2"))
        func gradient(of inputs: [Tensor]) async throws -> [Float] {
            let fresh = w.copy()
            fresh.requiresGrad = true
            for x in inputs {
                let tape = Tape()
                let loss = tape.record { sum(swiglu(gate: linear(x, weight: fresh), up: linear(x, weight: fresh))) }
                try await tape.backward(from: loss)
            }
            return try #require(fresh.grad).scalars
        }
        let accumulated = try await gradient(of: [x1, x2])
        let first = try await gradient(of: [x1])
        let second = try await gradient(of: [x2])
        for (total, parts) in zip(accumulated, zip(first, second)) {
            #expect(abs(total - (parts.0 + parts.1)) <= 1e-6 * max(1, abs(total)))
        }
    }

    @Test func opsRecordNothingWithoutTapeOrWithoutGradients() {
        let x = Tensor(shape: [2], values: [1, 2])
        x.requiresGrad = true
        let untracked = scale(x, by: 2)
        #expect(!untracked.requiresGrad)
        let tape = Tape()
        let constant = Tensor(shape: [2], values: [3, 4])
        let result = tape.record { scale(constant, by: 2) }
        #expect(!result.requiresGrad)
        #expect(tape.recordedOperationCount == 0)
        let tracked = tape.record { scale(x, by: 2) }
        #expect(tracked.requiresGrad && !tracked.isLeaf)
        #expect(tape.recordedOperationCount == 1)
    }

    @Test func backwardRejectsUnrecordedOrNonScalarLoss() async throws {
        let tape = Tape()
        let x = Tensor(shape: [2], values: [1, 2])
        x.requiresGrad = true
        let notScalar = tape.record { scale(x, by: 2) }
        await #expect(throws: TensorError.self) { try await tape.backward(from: notScalar) }
        let loss = Tape().record { sum(x) }  // recorded on another tape
        await #expect(throws: TensorError.self) { try await tape.backward(from: loss) }
        do {
            try await tape.backward(from: Tensor.scalar(1))
            Issue.record("expected lossNotRecorded")
        } catch let error as TensorError {
            #expect(error.code == .lossNotRecorded)
        }
    }

    @Test func backwardReleasesSavedActivationsAndClearsTheTape() async throws {
        let x = Tensor(shape: [4, 8], values: TestData.uniform(32, label: "release"))
        x.requiresGrad = true
        let w = Tensor(shape: [8], values: TestData.uniform(8, label: "release-w"))
        weak var intermediate: Tensor?
        let tape = Tape()
        let loss = tape.record { () -> Tensor in
            let normalized = rmsNorm(x, weight: w, epsilon: 1e-6)
            intermediate = normalized
            return sum(multiply(normalized, normalized))
        }
        #expect(intermediate != nil)  // kept alive by the multiply node
        try await tape.backward(from: loss)
        #expect(intermediate == nil)
        #expect(tape.recordedOperationCount == 0)
        #expect(x.grad != nil)
    }

    @Test func recordFollowsAsyncCodeAndEndsWithTheScope() async throws {
        let x = Tensor(shape: [1], values: [2])
        x.requiresGrad = true
        let tape = Tape()
        #expect(Tape.current == nil)
        let y = await tape.record { () async -> Tensor in
            await Task.yield()
            #expect(Tape.current === tape)
            return scale(x, by: 3)
        }
        #expect(Tape.current == nil)
        #expect(y.requiresGrad)
    }

    @Test func staleOutputsFromAnEarlierRecordingAreConstants() async throws {
        let x = Tensor(shape: [2], values: [1, 2])
        x.requiresGrad = true
        let tape = Tape()
        let stale = tape.record { scale(x, by: 2) }
        tape.reset()
        let loss = tape.record { sum(multiply(stale, x)) }
        try await tape.backward(from: loss)
        // Only the direct path counts: d/dx of Σ stale ⊙ x with stale constant = stale.
        #expect(try #require(x.grad).scalars == [2, 4])
    }
}
