import CairnCore
import CairnTensor
import Testing

@Suite struct SwiGLUTests {
    @Test(arguments: [5, 16, 37])
    func swigluMatchesFloat64ReferenceAndGradients(count: Int) async throws {
        let check = GradientCheck(inputs: [
            .init(shape: [count], values: TestData.uniform(count, scale: 6, label: "gate\(count)")),
            .init(shape: [count], values: TestData.uniform(count, scale: 2, label: "up\(count)")),
        ])
        try await check.run({ swiglu(gate: $0[0], up: $0[1]) }) { values in
            Float64Reference.swiglu(values[0], values[1])
        }
    }

    @Test func swigluSaturatesWithoutOverflow() {
        let gate = Tensor(shape: [4], values: [-200, -90, 90, 200])
        let up = Tensor(shape: [4], values: [1, 1, 1, 1])
        let y = swiglu(gate: gate, up: up).scalars
        #expect(y.allSatisfy { $0.isFinite })
        #expect(abs(y[0]) < 1e-30 && abs(y[1]) < 1e-30)
        #expect(y[2] == 90 && y[3] == 200)
    }
}
