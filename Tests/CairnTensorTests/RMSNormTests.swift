import CairnCore
import CairnTensor
import Testing

@Suite struct RMSNormTests {
    @Test(arguments: [7, 16, 35])
    func rmsNormMatchesFloat64ReferenceAndGradients(dimension: Int) async throws {
        let rows = 6
        let check = GradientCheck(inputs: [
            .init(
                shape: [rows, dimension], values: TestData.uniform(rows * dimension, scale: 2, label: "x\(dimension)")),
            .init(shape: [dimension], values: TestData.uniform(dimension, label: "w\(dimension)").map { 1 + $0 / 2 }),
        ])
        try await check.run({ rmsNorm($0[0], weight: $0[1], epsilon: 1e-6) }) { values in
            Float64Reference.rmsNorm(values[0], values[1], epsilon: 1e-6)
        }
    }

    @Test func rmsNormOverHeadsOfFourDimensionalInput() async throws {
        // The per-head q/k norm: [B, T, H, D] normalised over D with a [D] weight.
        let shape = [2, 3, 2, 8]
        let count = shape.reduce(1, *)
        let check = GradientCheck(inputs: [
            .init(shape: shape, values: TestData.uniform(count, label: "heads")),
            .init(shape: [8], values: TestData.uniform(8, label: "headw").map { 1 + $0 / 4 }),
        ])
        try await check.run({ rmsNorm($0[0], weight: $0[1], epsilon: 1e-6) }) { values in
            Float64Reference.rmsNorm(values[0], values[1], epsilon: 1e-6)
        }
    }

    @Test func weightGradientIsBitIdenticalAcrossRunsWithManyChunks() async throws {
        // 4096 rows × 64 → 16 row chunks with per-chunk partial sums combined in chunk order.
        let (rows, dimension) = (4096, 64)
        let xValues = TestData.uniform(rows * dimension, label: "many")
        func run() async throws -> ([Float], [Float]) {
            let x = Tensor(shape: [rows, dimension], values: xValues)
            let w = Tensor(shape: [dimension], values: TestData.uniform(dimension, label: "manyw"))
            x.requiresGrad = true
            w.requiresGrad = true
            let tape = Tape()
            let loss = tape.record { sum(multiply(rmsNorm(x, weight: w, epsilon: 1e-5), x)) }
            try await tape.backward(from: loss)
            return (try #require(x.grad).scalars, try #require(w.grad).scalars)
        }
        let first = try await run()
        let second = try await run()
        #expect(first.0.map(\.bitPattern) == second.0.map(\.bitPattern))
        #expect(first.1.map(\.bitPattern) == second.1.map(\.bitPattern))
    }
}
