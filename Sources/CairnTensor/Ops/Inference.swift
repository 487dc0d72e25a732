#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Inference helpers (not differentiable, never recorded)

/// softmax(x / temperature) over the last dimension: exp(xᵢ/τ − m) / Σⱼ exp(xⱼ/τ − m) with m the row maximum.
///
/// - Parameters:
///   - x: `[..., classes]`.
///   - temperature: τ > 0.
/// - Returns: The shape of `x`; each row sums to 1.
public func softmax(rowsOf x: Tensor, temperature: Float = 1) -> Tensor {
    requireShapes(temperature > 0, "softmax", "temperature \(temperature) must be positive")
    let classes = x.shape.last ?? 1
    let output = Tensor.uninitialized(x.shape)
    let rows = classes == 0 ? 0 : x.count / classes
    ElementwiseKernels.scale(x.base, by: 1 / temperature, into: output.base, count: x.count)
    Parallel.forEachChunk(count: rows, minimumChunk: max(1, 32768 / max(1, classes))) { range in
        for row in range {
            AttentionKernels.causalSoftmaxRow(output.base + row * classes, valid: classes, total: classes)
        }
    }
    return output
}

/// log softmax over the last dimension: xᵢ − log Σⱼ exp(xⱼ) (computed as xᵢ − m − log Σⱼ exp(xⱼ − m)).
///
/// - Parameter x: `[..., classes]`.
/// - Returns: The shape of `x`.
public func logSoftmax(rowsOf x: Tensor) -> Tensor {
    let classes = x.shape.last ?? 1
    let output = Tensor.uninitialized(x.shape)
    let rows = classes == 0 ? 0 : x.count / classes
    Parallel.forEachChunk(count: rows, minimumChunk: max(1, 32768 / max(1, classes))) { range in
        for row in range {
            let input = x.base + row * classes
            let logSumExp = CrossEntropyKernels.rowLogSumExp(input, count: classes)
            for index in 0..<classes { output.base[row * classes + index] = input[index] - logSumExp }
        }
    }
    return output
}

/// The index of the largest value of each row of the last dimension (the first one on ties; NaN never wins).
///
/// - Parameter x: `[..., classes]` with `classes > 0`.
/// - Returns: One index per row, in row order.
public func argmax(rowsOf x: Tensor) -> [Int] {
    let classes = x.shape.last ?? 1
    requireShapes(classes > 0, "argmax", "rows of shape \(x.shape) are empty")
    return (0..<(x.count / classes)).map { row in
        let values = x.base + row * classes
        var best = 0
        for index in 1..<classes where values[index] > values[best] || values[best].isNaN { best = index }
        return best
    }
}
