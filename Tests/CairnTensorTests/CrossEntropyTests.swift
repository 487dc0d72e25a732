import CairnCore
import CairnTensor
import Testing

@Suite struct CrossEntropyTests {
    @Test(arguments: [5, 16, 41])
    func crossEntropyMatchesFloat64ReferenceAndGradientsWithIgnoredTargets(classes: Int) async throws {
        let rows = 6
        let targets: [Int32] = [1, -100, 0, Int32(classes - 1), -100, 2]
        let check = GradientCheck(inputs: [
            .init(
                shape: [rows, classes], values: TestData.uniform(rows * classes, scale: 4, label: "logits\(classes)"))
        ])
        try await check.run({ crossEntropy(logits: $0[0], targets: targets, normalizer: 7) }) { values in
            [
                Float64Reference.crossEntropy(
                    values[0], classes: classes, targets: targets, ignoreIndex: -100, normalizer: 7)
            ]
        }
    }

    @Test func ignoredRowsGetZeroGradientAndNoLoss() async throws {
        let logits = Tensor(shape: [3, 4], values: TestData.uniform(12, label: "ignored"))
        logits.requiresGrad = true
        let tape = Tape()
        let loss = tape.record { crossEntropy(logits: logits, targets: [-1, 2, -1], ignoreIndex: -1, normalizer: 1) }
        try await tape.backward(from: loss)
        let gradient = try #require(logits.grad).scalars
        #expect(Array(gradient[0..<4]) == [0, 0, 0, 0])
        #expect(Array(gradient[8..<12]) == [0, 0, 0, 0])
        // The counted row's gradient is softmax − onehot: it sums to zero.
        #expect(abs(gradient[4..<8].reduce(0, +)) < 1e-6)
        let onlyRow = crossEntropy(
            logits: Tensor(shape: [1, 4], values: Array(logits.scalars[4..<8])), targets: [2], normalizer: 1)
        #expect(loss.item == onlyRow.item)
    }

    @Test func allIgnoredGivesZeroLossAndGradient() async throws {
        let logits = Tensor(shape: [2, 3], values: TestData.uniform(6, label: "allignored"))
        logits.requiresGrad = true
        let tape = Tape()
        let loss = tape.record { crossEntropy(logits: logits, targets: [-100, -100], normalizer: 1) }
        #expect(loss.item == 0)
        try await tape.backward(from: loss)
        #expect(try #require(logits.grad).scalars.allSatisfy { $0 == 0 })
    }

    @Test func extremeLogitsStayFinite() {
        let logits = Tensor(shape: [1, 3], values: [1000, -1000, 0])
        #expect(abs(crossEntropy(logits: logits, targets: [0], normalizer: 1).item) < 1e-6)
        #expect(abs(crossEntropy(logits: logits, targets: [2], normalizer: 1).item - 1000) < 1e-3)
    }

    @Test func normalizerSplitsAcrossMicroBatches() {
        // Two halves with the global normalizer add up to the whole batch's loss.
        let values = TestData.uniform(8 * 10, scale: 3, label: "split")
        let targets: [Int32] = [1, 2, -100, 4, 5, 6, -100, 8]
        let whole = crossEntropy(logits: Tensor(shape: [8, 10], values: values), targets: targets, normalizer: 6).item
        let first = crossEntropy(
            logits: Tensor(shape: [4, 10], values: Array(values[0..<40])), targets: Array(targets[0..<4]), normalizer: 6
        )
        let second = crossEntropy(
            logits: Tensor(shape: [4, 10], values: Array(values[40..<80])), targets: Array(targets[4..<8]),
            normalizer: 6)
        #expect(abs(first.item + second.item - whole) < 1e-6)
    }
}
