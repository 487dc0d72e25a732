import Foundation

/// Plain float64 evaluators of each op, written from the formulas, for gradient checks and forward comparisons.
enum Float64Reference {
    /// y = x wᵀ, x: [rows, inputs], w: [outputs, inputs].
    static func linear(_ x: [Double], _ w: [Double], inputs: Int, outputs: Int) -> [Double] {
        let rows = x.count / inputs
        var y = [Double](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var total = 0.0
                for i in 0..<inputs { total += x[r * inputs + i] * w[o * inputs + i] }
                y[r * outputs + o] = total
            }
        }
        return y
    }

    /// op(A) op(B) with A stored [aRows, aColumns] and B stored [bRows, bColumns].
    static func matmul(
        _ a: [Double], _ b: [Double], aShape: (Int, Int), bShape: (Int, Int), transposeA: Bool, transposeB: Bool
    ) -> [Double] {
        let m = transposeA ? aShape.1 : aShape.0
        let k = transposeA ? aShape.0 : aShape.1
        let n = transposeB ? bShape.0 : bShape.1
        func aAt(_ i: Int, _ p: Int) -> Double { transposeA ? a[p * aShape.1 + i] : a[i * aShape.1 + p] }
        func bAt(_ p: Int, _ j: Int) -> Double { transposeB ? b[j * bShape.1 + p] : b[p * bShape.1 + j] }
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k { total += aAt(i, p) * bAt(p, j) }
                c[i * n + j] = total
            }
        }
        return c
    }

    /// Rows of w [vocabulary, dimension] at indices.
    static func embedding(_ w: [Double], indices: [Int32], dimension: Int) -> [Double] {
        indices.flatMap { Array(w[Int($0) * dimension..<(Int($0) + 1) * dimension]) }
    }

    /// x / √(mean(x²) + ε) · w per row of length w.count.
    static func rmsNorm(_ x: [Double], _ w: [Double], epsilon: Double) -> [Double] {
        let dimension = w.count
        var y = x
        for r in 0..<(x.count / dimension) {
            let row = x[r * dimension..<(r + 1) * dimension]
            let rstd = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(dimension) + epsilon).squareRoot()
            for i in 0..<dimension { y[r * dimension + i] = x[r * dimension + i] * rstd * w[i] }
        }
        return y
    }

    /// Rotate-half RoPE on [B, T, H, D] with angle p · θ^(−2i/D) computed in Double.
    static func rotary(_ x: [Double], shape: [Int], positions: [Int32], theta: Double) -> [Double] {
        let (batch, length, heads, dimension) = (shape[0], shape[1], shape[2], shape[3])
        let half = dimension / 2
        var y = x
        for b in 0..<batch {
            for t in 0..<length {
                for h in 0..<heads {
                    let base = ((b * length + t) * heads + h) * dimension
                    for i in 0..<half {
                        let angle = Double(positions[t]) * pow(theta, -Double(2 * i) / Double(dimension))
                        let (x1, x2) = (x[base + i], x[base + half + i])
                        y[base + i] = x1 * cos(angle) - x2 * sin(angle)
                        y[base + half + i] = x2 * cos(angle) + x1 * sin(angle)
                    }
                }
            }
        }
        return y
    }

    /// Naive causal GQA attention on q [B, T, Hq, D], k and v [B, T, Hkv, D].
    static func causalAttention(
        q: [Double], k: [Double], v: [Double], batch: Int, length: Int, queryHeads: Int, keyValueHeads: Int,
        dimension: Int, scale: Double
    ) -> [Double] {
        var output = [Double](repeating: 0, count: q.count)
        let group = queryHeads / keyValueHeads
        for b in 0..<batch {
            for h in 0..<queryHeads {
                let kv = h / group
                for t in 0..<length {
                    let qBase = ((b * length + t) * queryHeads + h) * dimension
                    var scores = [Double]()
                    for j in 0...t {
                        let kBase = ((b * length + j) * keyValueHeads + kv) * dimension
                        var dot = 0.0
                        for d in 0..<dimension { dot += q[qBase + d] * k[kBase + d] }
                        scores.append(dot * scale)
                    }
                    let maximum = scores.max()!
                    let exps = scores.map { exp($0 - maximum) }
                    let total = exps.reduce(0, +)
                    for j in 0...t {
                        let vBase = ((b * length + j) * keyValueHeads + kv) * dimension
                        for d in 0..<dimension { output[qBase + d] += exps[j] / total * v[vBase + d] }
                    }
                }
            }
        }
        return output
    }

    /// The gradients (dQ, dK, dV) of naive causal GQA attention for output gradient dO, from the formulas
    /// dV = Pᵀ dO, dP = dO Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale · dS K, dK = scale · dSᵀ Q.
    static func causalAttentionGradients(
        q: [Double], k: [Double], v: [Double], outputGradient: [Double], batch: Int, length: Int, queryHeads: Int,
        keyValueHeads: Int, dimension: Int, scale: Double
    ) -> (query: [Double], key: [Double], value: [Double]) {
        var dq = [Double](repeating: 0, count: q.count)
        var dk = [Double](repeating: 0, count: k.count)
        var dv = [Double](repeating: 0, count: v.count)
        let group = queryHeads / keyValueHeads
        func qIndex(_ b: Int, _ t: Int, _ h: Int) -> Int { ((b * length + t) * queryHeads + h) * dimension }
        func kIndex(_ b: Int, _ t: Int, _ h: Int) -> Int { ((b * length + t) * keyValueHeads + h) * dimension }
        for b in 0..<batch {
            for h in 0..<queryHeads {
                let kv = h / group
                for t in 0..<length {
                    var scores = [Double]()
                    for j in 0...t {
                        var dot = 0.0
                        for d in 0..<dimension { dot += q[qIndex(b, t, h) + d] * k[kIndex(b, j, kv) + d] }
                        scores.append(dot * scale)
                    }
                    let maximum = scores.max()!
                    let exps = scores.map { exp($0 - maximum) }
                    let total = exps.reduce(0, +)
                    let p = exps.map { $0 / total }
                    var dp = [Double](repeating: 0, count: t + 1)
                    for j in 0...t {
                        for d in 0..<dimension {
                            dv[kIndex(b, j, kv) + d] += p[j] * outputGradient[qIndex(b, t, h) + d]
                            dp[j] += outputGradient[qIndex(b, t, h) + d] * v[kIndex(b, j, kv) + d]
                        }
                    }
                    let rowDot = zip(dp, p).reduce(0) { $0 + $1.0 * $1.1 }
                    for j in 0...t {
                        let ds = p[j] * (dp[j] - rowDot) * scale
                        for d in 0..<dimension {
                            dq[qIndex(b, t, h) + d] += ds * k[kIndex(b, j, kv) + d]
                            dk[kIndex(b, j, kv) + d] += ds * q[qIndex(b, t, h) + d]
                        }
                    }
                }
            }
        }
        return (dq, dk, dv)
    }

    /// g / (1 + e^−g) · u.
    static func swiglu(_ gate: [Double], _ up: [Double]) -> [Double] {
        zip(gate, up).map { g, u in g / (1 + exp(-g)) * u }
    }

    /// Σ over counted rows of logsumexp(row) − row[target], divided by normalizer.
    static func crossEntropy(
        _ logits: [Double], classes: Int, targets: [Int32], ignoreIndex: Int32, normalizer: Double
    ) -> Double {
        var total = 0.0
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            let values = logits[row * classes..<(row + 1) * classes]
            let maximum = values.max()!
            let logSumExp = maximum + log(values.reduce(0) { $0 + exp($1 - maximum) })
            total += logSumExp - logits[row * classes + Int(target)]
        }
        return total / normalizer
    }
}
