// MARK: - SwiGLU

/// silu(gate) ⊙ up, element-wise: the gated activation of a SwiGLU MLP (Shazeer, "GLU Variants Improve
/// Transformer"), with silu(g) = g · σ(g).
///
/// - Parameters:
///   - gate: Any shape.
///   - up: The shape of `gate`.
/// - Returns: The shape of `gate`.
///
/// Backward, recomputing σ(g) from the saved gate: dup = dy ⊙ silu(g) and
/// dgate = dy ⊙ up ⊙ σ(g) · (1 + g · (1 − σ(g))).
public func swiglu(gate: Tensor, up: Tensor) -> Tensor {
    return profiled("swiglu") {
        requireShapes(gate.shape == up.shape, "swiglu", "shapes differ: gate \(gate.shape), up \(up.shape)")
        let output = Tensor.uninitialized(gate.shape)
        SwiGLUKernels.forward(gate: gate.base, up: up.base, output: output.base, count: gate.count)
        guard let tape = Tape.recording(for: gate, up) else { return output }
        tape.record(output: output, name: "swiglu") { outputGradient, gradients in
            let gateGradient = gradients.needsGradient(gate) ? Tensor.uninitialized(gate.shape) : nil
            let upGradient = gradients.needsGradient(up) ? Tensor.uninitialized(up.shape) : nil
            SwiGLUKernels.backward(
                gate: gate.base, up: up.base, outputGradient: outputGradient.base, gateGradient: gateGradient?.base,
                upGradient: upGradient?.base, count: gate.count)
            if let gateGradient { gradients.accumulate(gateGradient, into: gate) }
            if let upGradient { gradients.accumulate(upGradient, into: up) }
        }
        return output
    }
}

/// The element-wise kernels of ``swiglu(gate:up:)``.
enum SwiGLUKernels {
    static let minimumChunk = 1 << 14

    /// y = g · σ(g) · u.
    static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var index = range.lowerBound
            while index < range.upperBound {
                let lanes = min(VectorMath.width, range.upperBound - index)
                let g = load(gate + index, lanes)
                let u = load(up + index, lanes)
                store(g * VectorMath.sigmoid(g) * u, output + index, lanes)
                index += lanes
            }
        }
    }

    /// dup = dy · g · σ(g); dgate = dy · u · σ(g) · (1 + g · (1 − σ(g))). Either output may be skipped.
    static func backward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        gateGradient: UnsafeMutablePointer<Float>?, upGradient: UnsafeMutablePointer<Float>?, count: Int
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var index = range.lowerBound
            while index < range.upperBound {
                let lanes = min(VectorMath.width, range.upperBound - index)
                let g = load(gate + index, lanes)
                let dy = load(outputGradient + index, lanes)
                let sigma = VectorMath.sigmoid(g)
                if let upGradient { store(dy * (g * sigma), upGradient + index, lanes) }
                if let gateGradient {
                    let u = load(up + index, lanes)
                    store(dy * u * sigma * (1 + g * (1 - sigma)), gateGradient + index, lanes)
                }
                index += lanes
            }
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>, _ lanes: Int) -> FloatVector {
        lanes == VectorMath.width ? VectorMath.load(pointer) : VectorMath.loadPartial(pointer, count: lanes)
    }

    @inline(__always)
    private static func store(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == VectorMath.width {
            VectorMath.store(vector, to: pointer)
        } else {
            VectorMath.storePartial(vector, to: pointer, count: lanes)
        }
    }
}
