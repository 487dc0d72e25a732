// MARK: - RMSNorm

/// Root-mean-square normalisation over the last dimension, as Hugging Face's `Qwen3RMSNorm`:
/// y = (x · rstd) · w with rstd = 1 / √(mean(x²) + ε), all in float32.
///
/// - Parameters:
///   - x: `[..., dim]` (also `[B, T, H, headDim]` for the per-head query/key norms).
///   - weight: `[dim]`.
///   - epsilon: ε, added to the mean square.
/// - Returns: The shape of `x`.
///
/// The forward pass saves rstd per row. Backward, with x̂ = x · rstd:
/// dw += Σ_rows dy ⊙ x̂ and dx = rstd · (dy ⊙ w − x̂ · mean(dy ⊙ w ⊙ x̂)). The weight gradient is summed per row
/// chunk of a fixed partition, then across chunks in order.
public func rmsNorm(_ x: Tensor, weight: Tensor, epsilon: Float) -> Tensor {
    return profiled("rmsNorm") {
        requireShapes(weight.shape.count == 1, "rmsNorm", "weight must be [dim], got \(weight.shape)")
        let dimension = weight.shape[0]
        requireShapes(x.shape.last == dimension, "rmsNorm", "input \(x.shape) does not end in \(dimension)")
        let rows = dimension == 0 ? 0 : x.count / dimension
        let output = Tensor.uninitialized(x.shape)
        let tape = Tape.recording(for: x, weight)
        let reciprocalRMS = Tensor.uninitialized([rows])
        RMSNormKernels.forward(
            x: x.base, weight: weight.base, epsilon: epsilon, rows: rows, dimension: dimension,
            output: output.base, reciprocalRMS: reciprocalRMS.base)
        guard let tape else { return output }
        tape.record(output: output, name: "rmsNorm") { outputGradient, gradients in
            let needsInput = gradients.needsGradient(x)
            let needsWeight = gradients.needsGradient(weight)
            let inputGradient = needsInput ? Tensor.uninitialized(x.shape) : nil
            let weightPartials = RMSNormKernels.backward(
                x: x.base, weight: weight.base, reciprocalRMS: reciprocalRMS.base, outputGradient: outputGradient.base,
                rows: rows, dimension: dimension, inputGradient: inputGradient?.base, computeWeightGradient: needsWeight
            )
            if let inputGradient { gradients.accumulate(inputGradient, into: x) }
            if needsWeight {
                gradients.accumulateInPlace(into: weight) { weightGradient, beta in
                    RMSNormKernels.reducePartials(
                        weightPartials, dimension: dimension, into: weightGradient, beta: beta)
                }
            }
        }
        return output
    }
}

/// The row kernels of ``rmsNorm(_:weight:epsilon:)``.
enum RMSNormKernels {
    /// Floats of work per chunk below which rows are not split further.
    static let minimumChunkElements = 16384

    static func rowsPerChunk(dimension: Int) -> Int { max(1, minimumChunkElements / max(1, dimension)) }

    /// y = (x · rstd) · w per row; stores rstd per row.
    static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float, rows: Int, dimension: Int,
        output: UnsafeMutablePointer<Float>, reciprocalRMS: UnsafeMutablePointer<Float>
    ) {
        Parallel.forEachChunk(count: rows, minimumChunk: rowsPerChunk(dimension: dimension)) { range in
            for row in range {
                let input = x + row * dimension
                let result = output + row * dimension
                let meanSquare = VectorMath.dot(input, input, count: dimension) / Float(dimension)
                let rstd = 1 / (meanSquare + epsilon).squareRoot()
                reciprocalRMS[row] = rstd
                var index = 0
                while index + VectorMath.width <= dimension {
                    let normalized = VectorMath.load(input + index) * rstd
                    VectorMath.store(normalized * VectorMath.load(weight + index), to: result + index)
                    index += VectorMath.width
                }
                while index < dimension {
                    result[index] = (input[index] * rstd) * weight[index]
                    index += 1
                }
            }
        }
    }

    /// Writes dx (when `inputGradient` is given) and returns per-chunk partial sums of dw (empty when not wanted).
    static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, reciprocalRMS: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, rows: Int, dimension: Int,
        inputGradient: UnsafeMutablePointer<Float>?, computeWeightGradient: Bool
    ) -> [Float] {
        let perChunk = rowsPerChunk(dimension: dimension)
        let chunks = Parallel.chunkCount(count: rows, minimumChunk: perChunk)
        var partials = [Float](repeating: 0, count: computeWeightGradient ? chunks * dimension : 0)
        partials.withUnsafeMutableBufferPointer { partials in
            let partialBase = computeWeightGradient ? partials.baseAddress : nil
            Parallel.forEachIndexedChunk(count: rows, minimumChunk: perChunk) { chunk, range in
                let weightPartial = partialBase.map { $0 + chunk * dimension }
                for row in range {
                    let input = x + row * dimension
                    let dy = outputGradient + row * dimension
                    let rstd = reciprocalRMS[row]
                    if let weightPartial {
                        accumulateWeightGradient(
                            input: input, dy: dy, rstd: rstd, into: weightPartial, dimension: dimension)
                    }
                    if let inputGradient {
                        inputRowGradient(
                            input: input, dy: dy, weight: weight, rstd: rstd, into: inputGradient + row * dimension,
                            dimension: dimension)
                    }
                }
            }
        }
        return partials
    }

    /// partial += dy ⊙ x · rstd.
    @inline(__always)
    private static func accumulateWeightGradient(
        input: UnsafePointer<Float>, dy: UnsafePointer<Float>, rstd: Float, into partial: UnsafeMutablePointer<Float>,
        dimension: Int
    ) {
        var index = 0
        while index + VectorMath.width <= dimension {
            let term = VectorMath.load(dy + index) * (VectorMath.load(input + index) * rstd)
            VectorMath.store(VectorMath.load(partial + index) + term, to: partial + index)
            index += VectorMath.width
        }
        while index < dimension {
            partial[index] += dy[index] * (input[index] * rstd)
            index += 1
        }
    }

    /// dx = rstd · (dy ⊙ w − x̂ · c) with c = mean(dy ⊙ w ⊙ x̂) = rstd · Σ(dy ⊙ w ⊙ x) / dim.
    @inline(__always)
    private static func inputRowGradient(
        input: UnsafePointer<Float>, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: Float,
        into result: UnsafeMutablePointer<Float>, dimension: Int
    ) {
        var accumulator = FloatVector()
        var index = 0
        while index + VectorMath.width <= dimension {
            accumulator +=
                VectorMath.load(dy + index) * VectorMath.load(weight + index) * VectorMath.load(input + index)
            index += VectorMath.width
        }
        var dot = accumulator.sum()
        while index < dimension {
            dot += dy[index] * weight[index] * input[index]
            index += 1
        }
        let correction = dot * rstd * rstd / Float(dimension)  // c · rstd, applied to x (x̂ = x · rstd)
        index = 0
        while index + VectorMath.width <= dimension {
            let scaledDy = VectorMath.load(dy + index) * VectorMath.load(weight + index)
            let value = (scaledDy - VectorMath.load(input + index) * correction) * rstd
            VectorMath.store(value, to: result + index)
            index += VectorMath.width
        }
        while index < dimension {
            result[index] = (dy[index] * weight[index] - input[index] * correction) * rstd
            index += 1
        }
    }

    /// target = beta · target + Σ_chunks partial[chunk], summed in chunk order.
    static func reducePartials(
        _ partials: [Float], dimension: Int, into target: UnsafeMutablePointer<Float>, beta: Float
    ) {
        if beta == 0 { target.update(repeating: 0, count: dimension) }
        let chunks = dimension == 0 ? 0 : partials.count / dimension
        partials.withUnsafeBufferPointer { partials in
            for chunk in 0..<chunks {
                let partial = partials.baseAddress! + chunk * dimension
                for index in 0..<dimension { target[index] += partial[index] }
            }
        }
    }
}
