/// Element-wise loops over raw float buffers: SIMD bodies, parallel over a fixed partition.
///
/// Every element's result depends only on that element's inputs, so the partition does not affect the bits; it
/// only lets two cores share memory-bound work.
enum ElementwiseKernels {
    /// Elements per chunk below which a loop runs on one thread (256 KiB of floats).
    static let minimumChunk = 1 << 16

    /// `destination[i] += source[i]`.
    static func addInPlace(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
        add(destination, source, into: destination, count: count)
    }

    /// `output[i] = a[i] + b[i]` (`output` may be `a` or `b`).
    static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var index = range.lowerBound
            while index + VectorMath.width <= range.upperBound {
                VectorMath.store(VectorMath.load(a + index) + VectorMath.load(b + index), to: output + index)
                index += VectorMath.width
            }
            while index < range.upperBound {
                output[index] = a[index] + b[index]
                index += 1
            }
        }
    }

    /// `output[i] = x[i] * factor` (`output` may be `x`).
    static func scale(
        _ x: UnsafePointer<Float>, by factor: Float, into output: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var index = range.lowerBound
            while index + VectorMath.width <= range.upperBound {
                VectorMath.store(VectorMath.load(x + index) * factor, to: output + index)
                index += VectorMath.width
            }
            while index < range.upperBound {
                output[index] = x[index] * factor
                index += 1
            }
        }
    }

    /// `output[i] = a[i] * b[i] * factor` (`output` may alias an input).
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, factor: Float, into output: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var index = range.lowerBound
            while index + VectorMath.width <= range.upperBound {
                let product = VectorMath.load(a + index) * VectorMath.load(b + index) * factor
                VectorMath.store(product, to: output + index)
                index += VectorMath.width
            }
            while index < range.upperBound {
                output[index] = a[index] * b[index] * factor
                index += 1
            }
        }
    }

    /// `output[i] = value`.
    static func fill(_ output: UnsafeMutablePointer<Float>, with value: Float, count: Int) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            (output + range.lowerBound).update(repeating: value, count: range.count)
        }
    }

    /// Σ x[i], in Double, over a fixed partition whose chunk sums are added in chunk order.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let chunks = Parallel.chunkCount(count: count, minimumChunk: minimumChunk)
        guard chunks > 0 else { return 0 }
        var partials = [Double](repeating: 0, count: chunks)
        partials.withUnsafeMutableBufferPointer { partials in
            let partialBase = partials.baseAddress!
            Parallel.forEachIndexedChunk(count: count, minimumChunk: minimumChunk) { chunk, range in
                var total = 0.0
                var index = range.lowerBound
                // Blocks of 1024 floats summed in float lanes, then into the Double total: fast and accurate.
                while index < range.upperBound {
                    let blockEnd = min(index + 1024, range.upperBound)
                    total += Double(VectorMath.sum(x + index, count: blockEnd - index))
                    index = blockEnd
                }
                partialBase[chunk] = total
            }
        }
        return partials.reduce(0, +)
    }
}
