import CairnCore
import CairnTensor
import Testing

@Suite struct AttentionTests {
    struct Shape: Sendable, CustomStringConvertible {
        var batch: Int, length: Int, queryHeads: Int, keyValueHeads: Int, dimension: Int
        var description: String { "B\(batch) T\(length) Hq\(queryHeads) Hkv\(keyValueHeads) D\(dimension)" }
    }

    @Test(arguments: [
        Shape(batch: 2, length: 5, queryHeads: 4, keyValueHeads: 2, dimension: 4),  // GQA, groups of 2
        Shape(batch: 1, length: 7, queryHeads: 3, keyValueHeads: 3, dimension: 5),  // MHA, odd sizes
        Shape(batch: 1, length: 4, queryHeads: 4, keyValueHeads: 1, dimension: 3),  // MQA
    ])
    func attentionMatchesNaiveFloat64ReferenceAndGradients(shape s: Shape) async throws {
        let queryCount = s.batch * s.length * s.queryHeads * s.dimension
        let keyCount = s.batch * s.length * s.keyValueHeads * s.dimension
        let scale = 1 / Float(s.dimension).squareRoot()
        let check = GradientCheck(inputs: [
            .init(
                shape: [s.batch, s.length, s.queryHeads, s.dimension],
                values: TestData.uniform(queryCount, scale: 2, label: "q\(s)")),
            .init(
                shape: [s.batch, s.length, s.keyValueHeads, s.dimension],
                values: TestData.uniform(keyCount, scale: 2, label: "k\(s)")),
            .init(
                shape: [s.batch, s.length, s.keyValueHeads, s.dimension],
                values: TestData.uniform(keyCount, label: "v\(s)")),
        ])
        try await check.run({ causalAttention(query: $0[0], key: $0[1], value: $0[2], scale: scale) }) { values in
            Float64Reference.causalAttention(
                q: values[0], k: values[1], v: values[2], batch: s.batch, length: s.length, queryHeads: s.queryHeads,
                keyValueHeads: s.keyValueHeads, dimension: s.dimension, scale: Double(scale))
        }
    }

    @Test func vectorisedRowsMatchNaiveReference() {
        // T = 40, D = 32: softmax rows longer than one 16-lane vector, with tails.
        let s = Shape(batch: 1, length: 40, queryHeads: 2, keyValueHeads: 1, dimension: 32)
        let q = TestData.uniform(s.length * s.queryHeads * s.dimension, label: "vq")
        let k = TestData.uniform(s.length * s.dimension, label: "vk")
        let v = TestData.uniform(s.length * s.dimension, label: "vv")
        let output = causalAttention(
            query: Tensor(shape: [1, 40, 2, 32], values: q), key: Tensor(shape: [1, 40, 1, 32], values: k),
            value: Tensor(shape: [1, 40, 1, 32], values: v), scale: 0.3)
        let expected = Float64Reference.causalAttention(
            q: q.map(Double.init), k: k.map(Double.init), v: v.map(Double.init), batch: 1, length: 40, queryHeads: 2,
            keyValueHeads: 1, dimension: 32, scale: 0.3)
        let error = zip(output.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error < 2e-6)
    }

    @Test(arguments: [0, 37])
    func longSequencesUseCausalBlocksAndMatchFloat64Gradients(cachedKeys: Int) async throws {
        // Tq = 150 spans three 64-row causal blocks (the last one partial); groups of 3 query heads share dK/dV;
        // with cached keys the queries are the last 150 of 187 positions. The reference runs full attention with
        // zero queries and zero output gradients on the cached positions, which contribute nothing.
        let (batch, queryLength, heads, kvHeads, dimension) = (2, 150, 3, 1, 8)
        let keyLength = queryLength + cachedKeys
        let qShape = [batch, queryLength, heads, dimension]
        let kShape = [batch, keyLength, kvHeads, dimension]
        let values = [
            TestData.uniform(qShape.reduce(1, *), scale: 2, label: "lq"),
            TestData.uniform(kShape.reduce(1, *), scale: 2, label: "lk"),
            TestData.uniform(kShape.reduce(1, *), label: "lv"),
        ]
        let upstream = TestData.uniform(qShape.reduce(1, *), label: "ldo")
        let q = Tensor(shape: qShape, values: values[0])
        let k = Tensor(shape: kShape, values: values[1])
        let v = Tensor(shape: kShape, values: values[2])
        for t in [q, k, v] { t.requiresGrad = true }
        let tape = Tape()
        let (output, loss) = tape.record { () -> (Tensor, Tensor) in
            let output = causalAttention(query: q, key: k, value: v, scale: 0.35)
            return (output, sum(multiply(output, Tensor(shape: qShape, values: upstream))))
        }
        try await tape.backward(from: loss)

        /// Inserts `cachedKeys` zero rows before each batch row of a [B, Tq, H, D] array.
        func padded(_ values: [Double]) -> [Double] {
            let rowSize = queryLength * heads * dimension
            let zeros = [Double](repeating: 0, count: cachedKeys * heads * dimension)
            return (0..<batch).flatMap { zeros + values[$0 * rowSize..<($0 + 1) * rowSize] }
        }
        /// Drops the padding rows again.
        func unpadded(_ values: [Double]) -> [Double] {
            let (rowSize, padSize) = (queryLength * heads * dimension, cachedKeys * heads * dimension)
            return (0..<batch).flatMap { b in
                values[(b * (rowSize + padSize) + padSize)..<((b + 1) * (rowSize + padSize))]
            }
        }
        let doubles = values.map { $0.map(Double.init) }
        let expected = Float64Reference.causalAttention(
            q: padded(doubles[0]), k: doubles[1], v: doubles[2], batch: batch, length: keyLength, queryHeads: heads,
            keyValueHeads: kvHeads, dimension: dimension, scale: 0.35)
        let gradients = Float64Reference.causalAttentionGradients(
            q: padded(doubles[0]), k: doubles[1], v: doubles[2], outputGradient: padded(upstream.map(Double.init)),
            batch: batch, length: keyLength, queryHeads: heads, keyValueHeads: kvHeads, dimension: dimension,
            scale: 0.35)
        func relativeError(_ actual: [Float], _ reference: [Double]) -> Double {
            let scale = max(1e-3, reference.map(abs).max() ?? 0)
            return (zip(actual, reference).map { abs(Double($0) - $1) }.max() ?? 0) / scale
        }
        #expect(relativeError(output.scalars, unpadded(expected)) < 2e-6)
        #expect(relativeError(try #require(q.grad).scalars, unpadded(gradients.query)) < 1e-5)
        #expect(relativeError(try #require(k.grad).scalars, gradients.key) < 1e-5)
        #expect(relativeError(try #require(v.grad).scalars, gradients.value) < 1e-5)
    }

    @Test(arguments: [1, 5])
    func cachedKeysLetQueriesAttendToEarlierPositions(queryLength: Int) async throws {
        // Generation with a key/value cache: the queries are the last Tq of Tk positions. The reference runs full
        // attention over Tk positions (earlier queries zero) and keeps the last Tq rows.
        let (keyLength, heads, kvHeads, dimension) = (queryLength + 9, 2, 1, 4)
        let scale: Float = 0.5
        let check = GradientCheck(inputs: [
            .init(
                shape: [1, queryLength, heads, dimension],
                values: TestData.uniform(queryLength * heads * dimension, label: "cq\(queryLength)")),
            .init(
                shape: [1, keyLength, kvHeads, dimension],
                values: TestData.uniform(keyLength * kvHeads * dimension, label: "ck\(queryLength)")),
            .init(
                shape: [1, keyLength, kvHeads, dimension],
                values: TestData.uniform(keyLength * kvHeads * dimension, label: "cv\(queryLength)")),
        ])
        try await check.run({ causalAttention(query: $0[0], key: $0[1], value: $0[2], scale: scale) }) { values in
            let padding = [Double](repeating: 0, count: (keyLength - queryLength) * heads * dimension)
            let full = Float64Reference.causalAttention(
                q: padding + values[0], k: values[1], v: values[2], batch: 1, length: keyLength, queryHeads: heads,
                keyValueHeads: kvHeads, dimension: dimension, scale: Double(scale))
            return Array(full[padding.count...])
        }
    }

    @Test func firstTokenAttendsOnlyToItself() {
        let q = Tensor(shape: [1, 3, 1, 2], values: [1, 0, 0, 1, 1, 1])
        let k = Tensor(shape: [1, 3, 1, 2], values: [5, 5, -5, 5, 0, 0])
        let v = Tensor(shape: [1, 3, 1, 2], values: [10, 20, 30, 40, 50, 60])
        let output = causalAttention(query: q, key: k, value: v, scale: 1).scalars
        #expect(Array(output[0..<2]) == [10, 20])
    }

    @Test func attentionIsBitIdenticalAcrossRuns() async throws {
        // 2 × 4 (batch, head) tasks run in parallel chunks; dK/dV sum their group's heads in head order.
        let shape = [2, 24, 4, 16]
        let kvShape = [2, 24, 2, 16]
        func run() async throws -> [[UInt32]] {
            let q = Tensor(shape: shape, values: TestData.uniform(shape.reduce(1, *), label: "dq"))
            let k = Tensor(shape: kvShape, values: TestData.uniform(kvShape.reduce(1, *), label: "dk"))
            let v = Tensor(shape: kvShape, values: TestData.uniform(kvShape.reduce(1, *), label: "dv"))
            let weights = Tensor(shape: shape, values: TestData.uniform(shape.reduce(1, *), label: "dw"))
            for t in [q, k, v] { t.requiresGrad = true }
            let tape = Tape()
            let (output, loss) = tape.record { () -> (Tensor, Tensor) in
                let output = causalAttention(query: q, key: k, value: v, scale: 0.25)
                return (output, sum(multiply(output, weights)))
            }
            try await tape.backward(from: loss)
            return try [output.scalars, #require(q.grad).scalars, #require(k.grad).scalars, #require(v.grad).scalars]
                .map { $0.map(\.bitPattern) }
        }
        let first = try await run()
        let second = try await run()
        #expect(first == second)
    }
}
