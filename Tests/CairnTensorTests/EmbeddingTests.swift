import CairnCore
import CairnTensor
import Testing

@Suite struct EmbeddingTests {
    @Test func embeddingGathersRowsAndScatterAddsGradients() async throws {
        let (vocabulary, dimension) = (6, 5)
        let indices: [Int32] = [3, 0, 3, 5, 3, 1]  // repeated ids accumulate
        let check = GradientCheck(inputs: [
            .init(shape: [vocabulary, dimension], values: TestData.uniform(vocabulary * dimension, label: "emb"))
        ])
        try await check.run({ embedding($0[0], indices: indices) }) { values in
            Float64Reference.embedding(values[0], indices: indices, dimension: dimension)
        }
    }

    @Test func embeddingForwardIsExactCopy() {
        let weight = Tensor(shape: [4, 3], values: TestData.uniform(12, label: "copy"))
        let rows = embedding(weight, indices: [2, 2, 0])
        let w = weight.scalars
        #expect(rows.scalars == Array(w[6..<9]) + Array(w[6..<9]) + Array(w[0..<3]))
    }

    @Test func embeddingGradientIsDeterministicWithManyChunks() async throws {
        // 40 column blocks of 16 floats → several parallel chunks; repeated tokens add in index order.
        let (vocabulary, dimension) = (50, 640)
        let indices = (0..<300).map { Int32(($0 * 7) % vocabulary) }
        func gradient() async throws -> [Float] {
            let weight = Tensor(
                shape: [vocabulary, dimension], values: TestData.uniform(vocabulary * dimension, label: "det"))
            weight.requiresGrad = true
            let upstream = Tensor(shape: [300, dimension], values: TestData.uniform(300 * dimension, label: "up"))
            let tape = Tape()
            let loss = tape.record { sum(multiply(embedding(weight, indices: indices), upstream)) }
            try await tape.backward(from: loss)
            return try #require(weight.grad).scalars
        }
        let first = try await gradient()
        let second = try await gradient()
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
    }

    @Test func tiedEmbeddingAndHeadGradientsAdd() async throws {
        // The same [vocabulary, dim] weight as embedding and as LM head: the head's sgemm writes the gradient
        // (beta 0), the embedding scatter-adds into it (beta 1); the sum equals the two gradients taken apart.
        let (vocabulary, dimension) = (7, 5)
        let values = TestData.uniform(vocabulary * dimension, label: "tied")
        let indices: [Int32] = [1, 4, 4, 6]
        func gradients(embeddingWeight: Tensor, headWeight: Tensor) async throws {
            let tape = Tape()
            let loss = tape.record {
                crossEntropy(
                    logits: linear(embedding(embeddingWeight, indices: indices), weight: headWeight),
                    targets: [2, 3, 0, -100], normalizer: 3)
            }
            try await tape.backward(from: loss)
        }
        let tied = Tensor(shape: [vocabulary, dimension], values: values)
        tied.requiresGrad = true
        try await gradients(embeddingWeight: tied, headWeight: tied)
        let separateEmbedding = Tensor(shape: [vocabulary, dimension], values: values)
        let separateHead = Tensor(shape: [vocabulary, dimension], values: values)
        separateEmbedding.requiresGrad = true
        separateHead.requiresGrad = true
        try await gradients(embeddingWeight: separateEmbedding, headWeight: separateHead)
        let expected = zip(try #require(separateEmbedding.grad).scalars, try #require(separateHead.grad).scalars)
            .map { $0 + $1 }
        for (actual, wanted) in zip(try #require(tied.grad).scalars, expected) {
            #expect(abs(actual - wanted) <= 1e-6)
        }
    }
}
