import CairnCore
import CairnTensor
import Foundation
import Testing

@Suite struct RotaryEmbeddingTests {
    @Test func rotaryMatchesFloat64ReferenceAndGradients() async throws {
        let shape = [2, 4, 3, 8]
        let positions: [Int32] = [0, 1, 5, 9]
        let table = RotaryTable(headDimension: 8, maxPositions: 16, theta: 10_000)
        let check = GradientCheck(inputs: [
            .init(shape: shape, values: TestData.uniform(shape.reduce(1, *), label: "rope"))
        ])
        try await check.run({ rotaryEmbedding($0[0], table: table, positions: positions) }) { values in
            Float64Reference.rotary(values[0], shape: shape, positions: positions, theta: 10_000)
        }
    }

    @Test func rotaryVectorisedHeadsMatchReference() async throws {
        // D = 64: the SIMD path (half = 32 = two vectors).
        let shape = [1, 3, 2, 64]
        let positions: [Int32] = [2, 7, 100]
        let table = RotaryTable(headDimension: 64, maxPositions: 128, theta: 1_000_000)
        let check = GradientCheck(inputs: [
            .init(shape: shape, values: TestData.uniform(shape.reduce(1, *), label: "rope64"))
        ])
        try await check.run({ rotaryEmbedding($0[0], table: table, positions: positions) }) { values in
            Float64Reference.rotary(values[0], shape: shape, positions: positions, theta: 1_000_000)
        }
    }

    @Test func positionZeroIsIdentityAndNormIsPreserved() {
        let table = RotaryTable(headDimension: 4, maxPositions: 8, theta: 10_000)
        let x = Tensor(shape: [1, 2, 1, 4], values: [1, 2, 3, 4, 1, 2, 3, 4])
        let y = rotaryEmbedding(x, table: table, positions: [0, 5]).scalars
        #expect(Array(y[0..<4]) == [1, 2, 3, 4])
        let norm = y[4..<8].reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 30) < 1e-4)
    }
}
