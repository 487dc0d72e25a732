import CairnCore
import CairnTensor
import Testing

@Suite struct DeterminismTests {
    /// Loss and every gradient of a whole decoder step, as bit patterns.
    private func stepBits() async throws -> [[UInt32]] {
        let model = DecoderFixture(.chunked)
        let loss = try await model.trainingStep()
        return try [[loss.bitPattern]] + model.parameters.map { try #require($0.grad).scalars.map(\.bitPattern) }
    }

    @Test func decoderStepIsBitIdenticalAcrossRuns() async throws {
        // Every kernel runs split into parallel chunks at these sizes (see `DecoderFixture.Configuration.chunked`),
        // so any timing-dependent reduction or race would show here.
        let first = try await stepBits()
        let second = try await stepBits()
        #expect(first == second)
        #expect(first[0][0] != 0)
    }

    @Test func decoderLossStartsNearLogVocabulary() async throws {
        let model = DecoderFixture(.tiny)
        let loss = try await model.trainingStep()
        // Small random weights: predictions are almost uniform.
        #expect(abs(Double(loss) - 6.3969) < 0.05)  // ln 600
    }
}
