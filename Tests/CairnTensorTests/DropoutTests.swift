import CairnCore
import Testing

@testable import CairnTensor

@Suite struct DropoutTests {
    @Test func maskFollowsSequentialDrawsAndGeneratorEndsWhereSequentialDrawsLeaveIt() {
        let count = 70_000  // several parallel chunks
        let x = Tensor(shape: [count], values: TestData.uniform(count, label: "dropout"))
        var generator = PhiloxRandom(seed: 5, stream: 2)
        _ = generator.next32()  // start mid-block
        var sequential = generator
        let y = dropout(x, probability: 0.25, generator: &generator).scalars
        let xs = x.scalars
        for index in 0..<count {
            let kept = sequential.nextUniform() >= 0.25
            let expected = kept ? xs[index] * (1 / 0.75) : 0
            if y[index] != expected {
                Issue.record("element \(index): \(y[index]) != \(expected)")
                break
            }
        }
        #expect(generator == sequential)
    }

    @Test func dropoutGradientUsesTheSameMask() async throws {
        let count = 40
        var generator = PhiloxRandom(seed: 11)
        let mask = (0..<count).map { _ in generator.nextUniform() >= 0.5 ? Double(2) : 0 }
        let check = GradientCheck(inputs: [.init(shape: [count], values: TestData.uniform(count, label: "dx"))])
        try await check.run({ x in
            var generator = PhiloxRandom(seed: 11)
            return dropout(x[0], probability: 0.5, generator: &generator)
        }) { values in zip(values[0], mask).map { $0 * $1 } }
    }

    @Test func zeroProbabilityIsIdentityWithoutDrawing() {
        let x = Tensor(shape: [3], values: [1, 2, 3])
        var generator = PhiloxRandom(seed: 1)
        let before = generator
        #expect(dropout(x, probability: 0, generator: &generator) === x)
        #expect(generator == before)
    }

    @Test func wordPositionRoundTrips() {
        var generator = PhiloxRandom(seed: 3, stream: 9)
        for consumed in 0..<9 {
            let position = DropoutKernels.wordPosition(of: generator)
            #expect(position == UInt64(consumed))
            #expect(DropoutKernels.generator(seed: 3, stream: 9, at: position) == generator)
            _ = generator.next32()
        }
    }
}
