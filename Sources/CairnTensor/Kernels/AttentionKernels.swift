/// The per-head kernels of ``causalAttention(query:key:value:scale:)``: strided sgemm for the products, SIMD row
/// loops for the causal softmax and its backward.
///
/// Causality is exploited in blocks of ``rowBlock`` query rows: rows `r₀..<r₁` only see keys `0..<r₁ + offset`
/// (offset = Tk − Tq, 0 in training), so each
/// product covers that rectangle and skips the masked upper-right blocks (at T = 256 the products do 62.5 % of
/// the full T × T work). Work is split over (batch, head) pairs in the forward pass and over (batch, key/value
/// head) groups in the backward pass, so each group's dK and dV are summed by one task in a fixed order (heads
/// ascending, row blocks descending); the chunks run in parallel with each sgemm on its caller's thread
/// (``BLAS/withSingleThreadedCalls(_:)``), which measured faster than heads in sequence with multi-threaded sgemm.
enum AttentionKernels {
    /// Query rows per causal block.
    static let rowBlock = 64

    /// Runs `body` over chunks of `tasks` in parallel, each sgemm single-threaded on its caller's thread.
    private static func run(tasks: Int, _ body: (Range<Int>) -> Void) {
        BLAS.withSingleThreadedCalls {
            Parallel.forEachChunk(count: tasks, minimumChunk: 1, body)
        }
    }

    /// The row blocks of a sequence of `length` tokens, in ascending order.
    static func rowBlocks(length: Int) -> [Range<Int>] {
        stride(from: 0, to: length, by: rowBlock).map { $0..<min(length, $0 + rowBlock) }
    }

    // MARK: - Forward

    /// Writes O; saves P in `probabilities` (`[B, Hq, Tq, Tk]`) when given, else uses per-chunk scratch.
    static func forward(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, scale: Float,
        geometry g: AttentionGeometry, output: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>?
    ) {
        let tasks = g.batch * g.queryHeads
        let (keyLength, dimension, offset) = (g.keyLength, g.dimension, g.positionOffset)
        let blocks = rowBlocks(length: g.queryLength)
        run(tasks: tasks) { range in
            let scratch =
                probabilities == nil
                ? UnsafeMutablePointer<Float>.allocate(capacity: g.queryLength * keyLength) : nil
            defer { scratch?.deallocate() }
            for task in range {
                let (b, head) = task.quotientAndRemainder(dividingBy: g.queryHeads)
                let kvHead = head / g.groupSize
                let p = probabilities.map { $0 + g.probabilityOffset(batch: b, head: head) } ?? scratch!
                let q = query + g.queryOffset(batch: b, head: head)
                let k = key + g.keyValueOffset(batch: b, head: kvHead)
                let v = value + g.keyValueOffset(batch: b, head: kvHead)
                let o = output + g.queryOffset(batch: b, head: head)
                for rows in blocks {
                    let (first, keys) = (rows.lowerBound, rows.upperBound + offset)  // rows see keys 0..<keys
                    // S[rows, 0..<keys] = scale · Q[rows] K[0..<keys]ᵀ
                    BLAS.singleThreadedSgemm(
                        transposeA: false, transposeB: true, m: rows.count, n: keys, k: dimension, alpha: scale,
                        a: q + first * g.queryStride, lda: g.queryStride, b: k, ldb: g.keyValueStride, beta: 0,
                        c: p + first * keyLength, ldc: keyLength)
                    for row in rows {
                        causalSoftmaxRow(p + row * keyLength, valid: row + offset + 1, total: keyLength)
                    }
                    // O[rows] = P[rows, 0..<keys] V[0..<keys]
                    BLAS.singleThreadedSgemm(
                        transposeA: false, transposeB: false, m: rows.count, n: dimension, k: keys, alpha: 1,
                        a: p + first * keyLength, lda: keyLength, b: v, ldb: g.keyValueStride, beta: 0,
                        c: o + first * g.queryStride, ldc: g.queryStride)
                }
            }
        }
    }

    /// In place: row[j] = exp(row[j] − max) / Σ for j < valid; 0 for the masked rest of the row.
    @inline(__always)
    static func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, valid: Int, total: Int) {
        let maximum = VectorMath.maximum(row, count: valid)
        var accumulator = FloatVector()
        var index = 0
        while index + VectorMath.width <= valid {
            let e = VectorMath.exp(VectorMath.load(row + index) - maximum)
            VectorMath.store(e, to: row + index)
            accumulator += e
            index += VectorMath.width
        }
        if index < valid {
            let lanes = valid - index
            let e = VectorMath.exp(VectorMath.loadPartial(row + index, count: lanes, padding: -.infinity) - maximum)
            VectorMath.storePartial(e, to: row + index, count: lanes)
            accumulator += e
        }
        let reciprocal = 1 / accumulator.sum()
        index = 0
        while index + VectorMath.width <= valid {
            VectorMath.store(VectorMath.load(row + index) * reciprocal, to: row + index)
            index += VectorMath.width
        }
        while index < valid {
            row[index] *= reciprocal
            index += 1
        }
        (row + valid).update(repeating: 0, count: total - valid)
    }

    // MARK: - Backward

    /// Writes dQ, dK, dV (each optional) from dO and the saved P.
    static func backward(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, scale: Float,
        geometry g: AttentionGeometry, probabilities: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        queryGradient: UnsafeMutablePointer<Float>?, keyGradient: UnsafeMutablePointer<Float>?,
        valueGradient: UnsafeMutablePointer<Float>?
    ) {
        let tasks = g.batch * g.keyValueHeads
        let (keyLength, dimension, offset) = (g.keyLength, g.dimension, g.positionOffset)
        let needsScores = queryGradient != nil || keyGradient != nil
        // Descending, so the first product into dK/dV (the last block) covers every key row and can use beta 0.
        let blocks = Array(rowBlocks(length: g.queryLength).reversed())
        run(tasks: tasks) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: g.queryLength * keyLength)  // dP, then dS
            defer { scores.deallocate() }
            for task in range {
                let (b, kvHead) = task.quotientAndRemainder(dividingBy: g.keyValueHeads)
                let kvOffset = g.keyValueOffset(batch: b, head: kvHead)
                let (k, v) = (key + kvOffset, value + kvOffset)
                for member in 0..<g.groupSize {
                    let head = kvHead * g.groupSize + member
                    let qOffset = g.queryOffset(batch: b, head: head)
                    let p = probabilities + g.probabilityOffset(batch: b, head: head)
                    let (q, dO) = (query + qOffset, outputGradient + qOffset)
                    for (blockIndex, rows) in blocks.enumerated() {
                        let (first, keys) = (rows.lowerBound, rows.upperBound + offset)
                        let beta: Float = member == 0 && blockIndex == 0 ? 0 : 1
                        let pRows = p + first * keyLength
                        if let valueGradient {  // dV[0..<keys] += P[rows, 0..<keys]ᵀ dO[rows]
                            BLAS.singleThreadedSgemm(
                                transposeA: true, transposeB: false, m: keys, n: dimension, k: rows.count, alpha: 1,
                                a: pRows, lda: keyLength, b: dO + first * g.queryStride, ldb: g.queryStride,
                                beta: beta, c: valueGradient + kvOffset, ldc: g.keyValueStride)
                        }
                        guard needsScores else { continue }
                        let dS = scores + first * keyLength
                        // dP[rows, 0..<keys] = dO[rows] V[0..<keys]ᵀ
                        BLAS.singleThreadedSgemm(
                            transposeA: false, transposeB: true, m: rows.count, n: keys, k: dimension, alpha: 1,
                            a: dO + first * g.queryStride, lda: g.queryStride, b: v, ldb: g.keyValueStride,
                            beta: 0, c: dS, ldc: keyLength)
                        for row in rows {
                            softmaxBackwardRow(
                                probabilities: p + row * keyLength, gradient: scores + row * keyLength,
                                valid: row + offset + 1, total: keys)
                        }
                        if let queryGradient {  // dQ[rows] = scale · dS[rows, 0..<keys] K[0..<keys]
                            BLAS.singleThreadedSgemm(
                                transposeA: false, transposeB: false, m: rows.count, n: dimension, k: keys,
                                alpha: scale, a: dS, lda: keyLength, b: k, ldb: g.keyValueStride, beta: 0,
                                c: queryGradient + qOffset + first * g.queryStride, ldc: g.queryStride)
                        }
                        if let keyGradient {  // dK[0..<keys] += scale · dS[rows, 0..<keys]ᵀ Q[rows]
                            BLAS.singleThreadedSgemm(
                                transposeA: true, transposeB: false, m: keys, n: dimension, k: rows.count,
                                alpha: scale, a: dS, lda: keyLength, b: q + first * g.queryStride, ldb: g.queryStride,
                                beta: beta, c: keyGradient + kvOffset, ldc: g.keyValueStride)
                        }
                    }
                }
            }
        }
    }

    /// In place: gradient[j] = P[j] · (dP[j] − Σₖ dP[k] P[k]) for j < valid (dS from dP); 0 for j in valid..<total.
    @inline(__always)
    static func softmaxBackwardRow(
        probabilities p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, valid: Int, total: Int
    ) {
        let dot = VectorMath.dot(p, gradient, count: valid)
        var index = 0
        while index + VectorMath.width <= valid {
            let value = VectorMath.load(p + index) * (VectorMath.load(gradient + index) - dot)
            VectorMath.store(value, to: gradient + index)
            index += VectorMath.width
        }
        while index < valid {
            gradient[index] = p[index] * (gradient[index] - dot)
            index += 1
        }
        (gradient + valid).update(repeating: 0, count: total - valid)
    }
}
