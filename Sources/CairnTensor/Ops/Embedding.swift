// MARK: - Embedding lookup

/// Rows of `weight` at `indices`: a token embedding lookup.
///
/// - Parameters:
///   - weight: `[vocabulary, dim]`.
///   - indices: Row numbers in `0..<vocabulary` (token ids).
/// - Returns: `[indices.count, dim]`.
///
/// Backward: dweight[indices[i]] += dy[i], a scatter-add. It is parallel over column blocks and, within each,
/// adds rows in index order, so repeated tokens accumulate in the same order on every run.
///
/// - Precondition: Every index is in range (the data pipeline validates token ids).
public func embedding(_ weight: Tensor, indices: [Int32]) -> Tensor {
    return profiled("embedding") {
        requireShapes(weight.shape.count == 2, "embedding", "weight must be [vocabulary, dim], got \(weight.shape)")
        let vocabulary = weight.shape[0]
        let dimension = weight.shape[1]
        for index in indices {
            requireShapes(
                index >= 0 && Int(index) < vocabulary, "embedding", "index \(index) outside 0..<\(vocabulary)")
        }
        let output = Tensor.uninitialized([indices.count, dimension])
        indices.withUnsafeBufferPointer { indices in
            Parallel.forEachChunk(count: indices.count, minimumChunk: max(1, 8192 / max(1, dimension))) { rows in
                for row in rows {
                    (output.base + row * dimension).update(
                        from: weight.base + Int(indices[row]) * dimension, count: dimension)
                }
            }
        }
        guard let tape = Tape.recording(for: weight) else { return output }
        tape.record(output: output, name: "embedding") { outputGradient, gradients in
            gradients.accumulateInPlace(into: weight) { weightGradient, beta in
                if beta == 0 { ElementwiseKernels.fill(weightGradient, with: 0, count: vocabulary * dimension) }
                indices.withUnsafeBufferPointer { indices in
                    // Column blocks of 16 floats: each block is owned by one chunk, rows are added in order.
                    let blocks = (dimension + VectorMath.width - 1) / VectorMath.width
                    Parallel.forEachChunk(count: blocks, minimumChunk: 4) { blockRange in
                        let lower = blockRange.lowerBound * VectorMath.width
                        let columns = lower..<min(dimension, blockRange.upperBound * VectorMath.width)
                        for row in 0..<indices.count {
                            let source = outputGradient.base + row * dimension
                            let target = weightGradient + Int(indices[row]) * dimension
                            for column in columns { target[column] += source[column] }
                        }
                    }
                }
            }
        }
        return output
    }
}
