import CairnCore
import CairnTensor
import Foundation
import Testing

@Suite struct InferenceTests {
    @Test func softmaxRowsSumToOneAndMatchReference() {
        let values: [Float] = [1, 2, 3, 4, -1, 0, 0, 1000]
        let probabilities = softmax(rowsOf: Tensor(shape: [2, 4], values: values), temperature: 2).scalars
        let first = values[0..<4].map { exp(Double($0) / 2) }
        let total = first.reduce(0, +)
        for index in 0..<4 { #expect(abs(Double(probabilities[index]) - first[index] / total) < 1e-7) }
        #expect(Array(probabilities[4..<8]) == [0, 0, 0, 1])
    }

    @Test func logSoftmaxAndArgmax() {
        let x = Tensor(shape: [2, 3], values: [0, 0, 0, 5, 9, 9])
        let logProbabilities = logSoftmax(rowsOf: x).scalars
        #expect(abs(logProbabilities[0] - -log(3)) < 1e-6)
        #expect(argmax(rowsOf: x) == [0, 1])
        #expect(argmax(rowsOf: Tensor(shape: [3], values: [.nan, 1, 0])) == [1])
    }
}
