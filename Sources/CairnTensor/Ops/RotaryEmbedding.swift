// MARK: - Rotary position embedding

/// Applies rotary position embedding in Hugging Face's "rotate_half" (non-interleaved) layout.
///
/// For each head vector x = (x₁, x₂) split in halves and angle table (c, s) at the token's position:
/// y₁ = x₁ · c − x₂ · s and y₂ = x₂ · c + x₁ · s (HF: `q * cos + rotate_half(q) * sin`).
///
/// - Parameters:
///   - x: `[B, T, H, D]` with D the table's head dimension.
///   - table: The cosines and sines.
///   - positions: The position of each of the T tokens (the same for every batch row).
/// - Returns: `[B, T, H, D]`.
///
/// Backward is the inverse rotation: dx₁ = dy₁ · c + dy₂ · s and dx₂ = dy₂ · c − dy₁ · s.
///
/// - Precondition: `positions.count == T` and every position is in `0..<table.maxPositions`.
public func rotaryEmbedding(_ x: Tensor, table: RotaryTable, positions: [Int32]) -> Tensor {
    return profiled("rotaryEmbedding") {
        requireShapes(
            x.shape.count == 4 && x.shape[3] == table.headDimension, "rotaryEmbedding",
            "input must be [B, T, H, \(table.headDimension)], got \(x.shape)")
        let (batch, length, heads) = (x.shape[0], x.shape[1], x.shape[2])
        requireShapes(positions.count == length, "rotaryEmbedding", "\(positions.count) positions for T = \(length)")
        for position in positions {
            requireShapes(
                position >= 0 && Int(position) < table.maxPositions, "rotaryEmbedding",
                "position \(position) outside the table's 0..<\(table.maxPositions)")
        }
        let output = Tensor.uninitialized(x.shape)
        RotaryKernels.rotate(
            x.base, into: output.base, table: table, positions: positions, rows: batch * length, heads: heads,
            inverse: false)
        guard let tape = Tape.recording(for: x) else { return output }
        tape.record(output: output, name: "rotaryEmbedding") { outputGradient, gradients in
            guard gradients.needsGradient(x) else { return }
            let inputGradient = Tensor.uninitialized(x.shape)
            RotaryKernels.rotate(
                outputGradient.base, into: inputGradient.base, table: table, positions: positions,
                rows: batch * length, heads: heads, inverse: true)
            gradients.accumulate(inputGradient, into: x)
        }
        return output
    }
}

/// The rotation kernel of ``rotaryEmbedding(_:table:positions:)``.
enum RotaryKernels {
    /// Rotates every head of `rows` token rows (row r has position `positions[r % T]`) forward or back.
    static func rotate(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, table: RotaryTable,
        positions: [Int32], rows: Int, heads: Int, inverse: Bool
    ) {
        let dimension = table.headDimension
        let half = dimension / 2
        let length = positions.count
        // Inverse rotation = rotation by −angle: negate the sines.
        let sineSign: Float = inverse ? -1 : 1
        table.cosines.withUnsafeBufferPointer { cosines in
            table.sines.withUnsafeBufferPointer { sines in
                positions.withUnsafeBufferPointer { positions in
                    let rowSize = heads * dimension
                    Parallel.forEachChunk(count: rows, minimumChunk: max(1, 16384 / max(1, rowSize))) { range in
                        for row in range {
                            let angleOffset = Int(positions[row % length]) * half
                            let c = cosines.baseAddress! + angleOffset
                            let s = sines.baseAddress! + angleOffset
                            for head in 0..<heads {
                                let offset = row * rowSize + head * dimension
                                rotateHead(input + offset, into: output + offset, c, s, half: half, sineSign: sineSign)
                            }
                        }
                    }
                }
            }
        }
    }

    /// y₁ = x₁c − x₂s', y₂ = x₂c + x₁s' with s' = sineSign · s.
    @inline(__always)
    private static func rotateHead(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ c: UnsafePointer<Float>,
        _ s: UnsafePointer<Float>, half: Int, sineSign: Float
    ) {
        var i = 0
        while i + VectorMath.width <= half {
            let x1 = VectorMath.load(x + i)
            let x2 = VectorMath.load(x + half + i)
            let cosine = VectorMath.load(c + i)
            let sine = VectorMath.load(s + i) * sineSign
            VectorMath.store(x1 * cosine - x2 * sine, to: y + i)
            VectorMath.store(x2 * cosine + x1 * sine, to: y + half + i)
            i += VectorMath.width
        }
        while i < half {
            let (x1, x2, cosine, sine) = (x[i], x[half + i], c[i], s[i] * sineSign)
            y[i] = x1 * cosine - x2 * sine
            y[half + i] = x2 * cosine + x1 * sine
            i += 1
        }
    }
}
