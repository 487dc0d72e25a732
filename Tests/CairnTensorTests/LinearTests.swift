import CairnCore
import CairnTensor
import Testing

@Suite struct LinearTests {
    @Test func linearMatchesFloat64ReferenceAndGradients() async throws {
        let (rows, inputs, outputs) = (5, 7, 3)
        let check = GradientCheck(inputs: [
            .init(shape: [rows, inputs], values: TestData.uniform(rows * inputs, label: "x")),
            .init(shape: [outputs, inputs], values: TestData.uniform(outputs * inputs, label: "w")),
        ])
        try await check.run({ linear($0[0], weight: $0[1]) }) { values in
            Float64Reference.linear(values[0], values[1], inputs: inputs, outputs: outputs)
        }
    }

    @Test func linearFlattensLeadingDimensions() {
        let x = Tensor(shape: [2, 3, 4], values: TestData.uniform(24, label: "x3"))
        let w = Tensor(shape: [5, 4], values: TestData.uniform(20, label: "w3"))
        let y = linear(x, weight: w)
        #expect(y.shape == [2, 3, 5])
        let flat = linear(x.reshaped([6, 4]), weight: w)
        #expect(y.scalars == flat.scalars)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesFloat64ReferenceAndGradients(transposeA: Bool, transposeB: Bool) async throws {
        let (m, k, n) = (4, 6, 3)
        let aShape = transposeA ? (k, m) : (m, k)
        let bShape = transposeB ? (n, k) : (k, n)
        let check = GradientCheck(inputs: [
            .init(shape: [aShape.0, aShape.1], values: TestData.uniform(m * k, label: "a")),
            .init(shape: [bShape.0, bShape.1], values: TestData.uniform(k * n, label: "b")),
        ])
        try await check.run({ matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }) { values in
            Float64Reference.matmul(
                values[0], values[1], aShape: aShape, bShape: bShape, transposeA: transposeA, transposeB: transposeB)
        }
    }

    @Test func weightGradientAccumulatesAcrossUses() async throws {
        // The same weight used twice in one graph: both contributions add (the second sgemm runs with beta = 1).
        let w = Tensor(shape: [2, 3], values: TestData.uniform(6, label: "shared"))
        w.requiresGrad = true
        let x = Tensor(shape: [4, 3], values: TestData.uniform(12, label: "shared-x"))
        let tape = Tape()
        let loss = tape.record { add(sum(linear(x, weight: w)), sum(linear(x, weight: w))) }
        try await tape.backward(from: loss)
        let single = Tape()
        let w2 = w.copy()
        w2.requiresGrad = true
        let loss2 = single.record { sum(linear(x, weight: w2)) }
        try await single.backward(from: loss2)
        let twice = try #require(w.grad).scalars
        let once = try #require(w2.grad).scalars
        for (a, b) in zip(twice, once) { #expect(abs(a - 2 * b) <= 1e-6 * max(1, abs(a))) }
    }
}
