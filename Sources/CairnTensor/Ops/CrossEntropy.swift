#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Cross-entropy

/// The summed token cross-entropy divided by a normaliser: Σ over rows r with targets[r] ≠ ignoreIndex of
/// −log softmax(logits[r])[targets[r]], divided by `normalizer`, as a scalar tensor (shape `[]`).
///
/// Fused log-softmax: each row's log-sum-exp lse = m + log Σ exp(x − m) (m the row maximum) is computed in one pass
/// over the row and saved; no probability matrix is stored. Row losses lse − x[target] are added in Double in row
/// order. The trainer passes the number of loss tokens in the whole global batch as `normalizer`, so
/// micro-batches and ranks add up to the global mean.
///
/// Backward: dlogits[r] = dy / normalizer · (softmax(logits[r]) − onehot(targets[r])) for counted rows, 0 for
/// ignored rows, computed from the saved lse.
///
/// - Parameters:
///   - logits: `[N, V]`.
///   - targets: N class indices in `0..<V`, or `ignoreIndex`.
///   - ignoreIndex: The target value of rows that carry no loss (prompt tokens, padding).
///   - normalizer: The divisor, > 0.
public func crossEntropy(logits: Tensor, targets: [Int32], ignoreIndex: Int32 = -100, normalizer: Float) -> Tensor {
    return profiled("crossEntropy") {
        requireShapes(logits.shape.count == 2, "crossEntropy", "logits must be [N, V], got \(logits.shape)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        requireShapes(targets.count == rows, "crossEntropy", "\(targets.count) targets for \(rows) rows")
        requireShapes(normalizer > 0, "crossEntropy", "normalizer \(normalizer) must be positive")
        for target in targets where target != ignoreIndex {
            requireShapes(
                target >= 0 && Int(target) < classes, "crossEntropy", "target \(target) outside 0..<\(classes)")
        }
        var logSumExp = [Float](repeating: 0, count: rows)
        var rowLosses = [Float](repeating: 0, count: rows)
        CrossEntropyKernels.forward(
            logits: logits.base, targets: targets, ignoreIndex: ignoreIndex, rows: rows, classes: classes,
            logSumExp: &logSumExp, rowLosses: &rowLosses)
        let total = rowLosses.reduce(0.0) { $0 + Double($1) }
        let output = Tensor.scalar(Float(total / Double(normalizer)))
        guard let tape = Tape.recording(for: logits) else { return output }
        tape.record(output: output, name: "crossEntropy") { outputGradient, gradients in
            guard gradients.needsGradient(logits) else { return }
            let logitsGradient = Tensor.uninitialized(logits.shape)
            CrossEntropyKernels.backward(
                logits: logits.base, targets: targets, ignoreIndex: ignoreIndex, rows: rows, classes: classes,
                logSumExp: logSumExp, factor: outputGradient.base[0] / normalizer, logitsGradient: logitsGradient.base)
            gradients.accumulate(logitsGradient, into: logits)
        }
        return output
    }
}

/// The row kernels of ``crossEntropy(logits:targets:ignoreIndex:normalizer:)``.
enum CrossEntropyKernels {
    static func rowsPerChunk(classes: Int) -> Int { max(1, 32768 / max(1, classes)) }

    /// Per row: lse (saved for backward) and the loss lse − x[target] (0 for ignored rows).
    static func forward(
        logits: UnsafePointer<Float>, targets: [Int32], ignoreIndex: Int32, rows: Int, classes: Int,
        logSumExp: inout [Float], rowLosses: inout [Float]
    ) {
        targets.withUnsafeBufferPointer { targets in
            logSumExp.withUnsafeMutableBufferPointer { logSumExp in
                rowLosses.withUnsafeMutableBufferPointer { rowLosses in
                    let (lseBase, lossBase) = (logSumExp.baseAddress!, rowLosses.baseAddress!)
                    Parallel.forEachChunk(count: rows, minimumChunk: rowsPerChunk(classes: classes)) { range in
                        for row in range {
                            let x = logits + row * classes
                            let lse = rowLogSumExp(x, count: classes)
                            lseBase[row] = lse
                            let target = targets[row]
                            lossBase[row] = target == ignoreIndex ? 0 : lse - x[Int(target)]
                        }
                    }
                }
            }
        }
    }

    /// log Σ exp(x) = m + log Σ exp(x − m), with m the maximum (so no term overflows).
    @inline(__always)
    static func rowLogSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
        guard count > 0 else { return -.infinity }
        let maximum = VectorMath.maximum(x, count: count)
        if maximum == .infinity || maximum == -.infinity { return maximum }
        var accumulator = FloatVector()
        var index = 0
        while index + VectorMath.width <= count {
            accumulator += VectorMath.exp(VectorMath.load(x + index) - maximum)
            index += VectorMath.width
        }
        if index < count {
            let tail = VectorMath.exp(
                VectorMath.loadPartial(x + index, count: count - index, padding: -.infinity) - maximum)
            accumulator += tail
        }
        return maximum + logf(accumulator.sum())
    }

    /// dlogits = factor · (exp(x − lse) − onehot(target)); zero rows for ignored targets.
    static func backward(
        logits: UnsafePointer<Float>, targets: [Int32], ignoreIndex: Int32, rows: Int, classes: Int,
        logSumExp: [Float], factor: Float, logitsGradient: UnsafeMutablePointer<Float>
    ) {
        targets.withUnsafeBufferPointer { targets in
            logSumExp.withUnsafeBufferPointer { logSumExp in
                let lseBase = logSumExp.baseAddress!
                Parallel.forEachChunk(count: rows, minimumChunk: rowsPerChunk(classes: classes)) { range in
                    for row in range {
                        let x = logits + row * classes
                        let dx = logitsGradient + row * classes
                        let target = targets[row]
                        if target == ignoreIndex {
                            dx.update(repeating: 0, count: classes)
                            continue
                        }
                        let lse = lseBase[row]
                        var index = 0
                        while index + VectorMath.width <= classes {
                            let probability = VectorMath.exp(VectorMath.load(x + index) - lse)
                            VectorMath.store(probability * factor, to: dx + index)
                            index += VectorMath.width
                        }
                        if index < classes {
                            let lanes = classes - index
                            let probability = VectorMath.exp(VectorMath.loadPartial(x + index, count: lanes) - lse)
                            VectorMath.storePartial(probability * factor, to: dx + index, count: lanes)
                        }
                        dx[Int(target)] -= factor
                    }
                }
            }
        }
    }
}
