import CairnCore
import CairnTensor
import Testing

@Suite struct ArithmeticTests {
    @Test func addMultiplyScaleSumMatchReferenceAndGradients() async throws {
        let count = 23
        let check = GradientCheck(inputs: [
            .init(shape: [count], values: TestData.uniform(count, label: "a")),
            .init(shape: [count], values: TestData.uniform(count, label: "b")),
        ])
        try await check.run({ scale(multiply(add($0[0], $0[1]), $0[1]), by: -1.5) }) { values in
            zip(values[0], values[1]).map { ($0 + $1) * $1 * -1.5 }
        }
    }

    @Test func sumMatchesReferenceAndGradient() async throws {
        let check = GradientCheck(inputs: [.init(shape: [3, 5], values: TestData.uniform(15, label: "sum"))])
        try await check.run({ sum($0[0]) }) { values in [values[0].reduce(0, +)] }
    }

    @Test func reshapedSharesStorageAndRoutesGradients() async throws {
        let check = GradientCheck(inputs: [.init(shape: [2, 6], values: TestData.uniform(12, label: "reshape"))])
        try await check.run({ multiply($0[0].reshaped([3, 4]), $0[0].reshaped([3, 4])) }) { values in
            values[0].map { $0 * $0 }
        }
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let view = x.reshaped([3, 2])
        #expect(view.buffer === x.buffer)
    }

    @Test func sameTensorAddedToItselfGetsBothContributions() async throws {
        let x = Tensor(shape: [3], values: [1, 2, 3])
        x.requiresGrad = true
        let tape = Tape()
        let loss = tape.record { sum(add(x, x)) }
        try await tape.backward(from: loss)
        #expect(try #require(x.grad).scalars == [2, 2, 2])
    }

    @Test func largeSumIsAccurateAndDeterministic() {
        // 300 000 elements → several chunks, each summed in float blocks into Double.
        let values = TestData.uniform(300_000, label: "bigsum")
        let exact = values.reduce(0.0) { $0 + Double($1) }
        let first = sum(Tensor(shape: [values.count], values: values)).item
        let second = sum(Tensor(shape: [values.count], values: values)).item
        #expect(first.bitPattern == second.bitPattern)
        #expect(abs(Double(first) - exact) <= 1e-6 * max(1, abs(exact)))
    }
}
