// MARK: - Linear and matrix products

/// y = x · wᵀ: a linear layer without bias, as `torch.nn.functional.linear`.
///
/// - Parameters:
///   - x: `[..., in]`; leading dimensions are flattened into rows.
///   - weight: `[out, in]`.
/// - Returns: `[..., out]`.
///
/// Backward: dx = dy · w and dw += dyᵀ · x, both BLAS sgemm writing (or adding, beta = 1) straight into the
/// gradient buffers.
///
/// - Complexity: O(rows · in · out).
public func linear(_ x: Tensor, weight: Tensor) -> Tensor {
    return profiled("linear") {
        requireShapes(weight.shape.count == 2, "linear", "weight must be [out, in], got \(weight.shape)")
        let outFeatures = weight.shape[0]
        let inFeatures = weight.shape[1]
        requireShapes(
            x.shape.last == inFeatures, "linear",
            "input \(x.shape) does not end in \(inFeatures) (weight \(weight.shape))")
        let rows = inFeatures == 0 ? 0 : x.count / inFeatures
        let output = Tensor.uninitialized(Array(x.shape.dropLast()) + [outFeatures])
        BLAS.sgemm(
            transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
            a: x.base, lda: max(1, inFeatures), b: weight.base, ldb: max(1, inFeatures),
            beta: 0, c: output.base, ldc: max(1, outFeatures))
        if inFeatures == 0 { output.base.update(repeating: 0, count: output.count) }
        guard let tape = Tape.recording(for: x, weight) else { return output }
        tape.record(output: output, name: "linear") { outputGradient, gradients in
            gradients.accumulateInPlace(into: x) { xGradient, beta in
                BLAS.sgemm(
                    transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                    a: outputGradient.base, lda: max(1, outFeatures), b: weight.base, ldb: max(1, inFeatures),
                    beta: beta, c: xGradient, ldc: max(1, inFeatures))
            }
            gradients.accumulateInPlace(into: weight) { weightGradient, beta in
                BLAS.sgemm(
                    transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                    a: outputGradient.base, lda: max(1, outFeatures), b: x.base, ldb: max(1, inFeatures),
                    beta: beta, c: weightGradient, ldc: max(1, inFeatures))
            }
        }
        return output
    }
}

/// C = op(A) · op(B) for 2-D tensors, where op transposes when asked.
///
/// - Parameters:
///   - a: `[m, k]`, or `[k, m]` with `transposeA`.
///   - b: `[k, n]`, or `[n, k]` with `transposeB`.
/// - Returns: `[m, n]`.
///
/// Backward: d op(A) = dC · op(B)ᵀ and d op(B) = op(A)ᵀ · dC, transposed back when the operand was transposed.
///
/// - Complexity: O(m · n · k).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    return profiled("matmul") {
        requireShapes(
            a.shape.count == 2 && b.shape.count == 2, "matmul", "needs 2-D tensors, got \(a.shape), \(b.shape)")
        let (aRows, aColumns) = (a.shape[0], a.shape[1])
        let (bRows, bColumns) = (b.shape[0], b.shape[1])
        let m = transposeA ? aColumns : aRows
        let k = transposeA ? aRows : aColumns
        let n = transposeB ? bRows : bColumns
        requireShapes(
            (transposeB ? bColumns : bRows) == k, "matmul",
            "inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let output = Tensor.uninitialized([m, n])
        let (lda, ldb, ldc) = (max(1, aColumns), max(1, bColumns), max(1, n))
        BLAS.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
            a: a.base, lda: lda, b: b.base, ldb: ldb, beta: 0, c: output.base, ldc: ldc)
        if k == 0 { output.base.update(repeating: 0, count: output.count) }
        guard let tape = Tape.recording(for: a, b) else { return output }
        tape.record(output: output, name: "matmul") { outputGradient, gradients in
            let dC = outputGradient.base
            gradients.accumulateInPlace(into: a) { aGradient, beta in
                if transposeA {  // dA = op(B) · dCᵀ   [k, m]
                    BLAS.sgemm(
                        transposeA: transposeB, transposeB: true, m: k, n: m, k: n, alpha: 1,
                        a: b.base, lda: ldb, b: dC, ldb: ldc, beta: beta, c: aGradient, ldc: lda)
                } else {  // dA = dC · op(B)ᵀ   [m, k]
                    BLAS.sgemm(
                        transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, alpha: 1,
                        a: dC, lda: ldc, b: b.base, ldb: ldb, beta: beta, c: aGradient, ldc: lda)
                }
            }
            gradients.accumulateInPlace(into: b) { bGradient, beta in
                if transposeB {  // dB = dCᵀ · op(A)   [n, k]
                    BLAS.sgemm(
                        transposeA: true, transposeB: transposeA, m: n, n: k, k: m, alpha: 1,
                        a: dC, lda: ldc, b: a.base, ldb: lda, beta: beta, c: bGradient, ldc: ldb)
                } else {  // dB = op(A)ᵀ · dC   [k, n]
                    BLAS.sgemm(
                        transposeA: !transposeA, transposeB: false, m: k, n: n, k: m, alpha: 1,
                        a: a.base, lda: lda, b: dC, ldb: ldc, beta: beta, c: bGradient, ldc: ldb)
                }
            }
        }
        return output
    }
}
