// MARK: - Element-wise arithmetic and reductions

/// The element-wise sum a + b of same-shape tensors (residual connections).
///
/// Backward: da = dy and db = dy (the same gradient, shared without a copy).
public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    return profiled("add") {
        requireShapes(a.shape == b.shape, "add", "shapes differ: \(a.shape) and \(b.shape)")
        let output = Tensor.uninitialized(a.shape)
        ElementwiseKernels.add(a.base, b.base, into: output.base, count: a.count)
        guard let tape = Tape.recording(for: a, b) else { return output }
        tape.record(output: output, name: "add") { outputGradient, gradients in
            gradients.accumulate(outputGradient, into: a, isShared: true)
            gradients.accumulate(outputGradient, into: b, isShared: true)
        }
        return output
    }
}

/// The element-wise product a ⊙ b of same-shape tensors.
///
/// Backward: da = dy ⊙ b and db = dy ⊙ a.
public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
    return profiled("multiply") {
        requireShapes(a.shape == b.shape, "multiply", "shapes differ: \(a.shape) and \(b.shape)")
        let output = Tensor.uninitialized(a.shape)
        ElementwiseKernels.multiply(a.base, b.base, factor: 1, into: output.base, count: a.count)
        guard let tape = Tape.recording(for: a, b) else { return output }
        tape.record(output: output, name: "multiply") { outputGradient, gradients in
            for (input, other) in [(a, b), (b, a)] where gradients.needsGradient(input) {
                let inputGradient = Tensor.uninitialized(input.shape)
                ElementwiseKernels.multiply(
                    outputGradient.base, other.base, factor: 1, into: inputGradient.base, count: input.count)
                gradients.accumulate(inputGradient, into: input)
            }
        }
        return output
    }
}

/// x · s for a constant s.
///
/// Backward: dx = dy · s.
public func scale(_ x: Tensor, by s: Float) -> Tensor {
    return profiled("scale") {
        let output = Tensor.uninitialized(x.shape)
        ElementwiseKernels.scale(x.base, by: s, into: output.base, count: x.count)
        guard let tape = Tape.recording(for: x) else { return output }
        tape.record(output: output, name: "scale") { outputGradient, gradients in
            guard gradients.needsGradient(x) else { return }
            let inputGradient = Tensor.uninitialized(x.shape)
            ElementwiseKernels.scale(outputGradient.base, by: s, into: inputGradient.base, count: x.count)
            gradients.accumulate(inputGradient, into: x)
        }
        return output
    }
}

/// Σ of all elements as a scalar tensor (shape `[]`), summed in Double over a fixed partition.
///
/// Backward: dx = dy (broadcast to every element).
public func sum(_ x: Tensor) -> Tensor {
    return profiled("sum") {
        let output = Tensor.scalar(Float(ElementwiseKernels.sum(x.base, count: x.count)))
        guard let tape = Tape.recording(for: x) else { return output }
        tape.record(output: output, name: "sum") { outputGradient, gradients in
            guard gradients.needsGradient(x) else { return }
            let inputGradient = Tensor.uninitialized(x.shape)
            ElementwiseKernels.fill(inputGradient.base, with: outputGradient.base[0], count: x.count)
            gradients.accumulate(inputGradient, into: x)
        }
        return output
    }
}

extension Tensor {
    /// The same values as `shape` (same element count), sharing the buffer; differentiable.
    ///
    /// Backward: the gradient, viewed in this tensor's shape.
    public func reshaped(_ shape: [Int]) -> Tensor {
        return profiled("reshaped") {
            precondition(shape.allSatisfy { $0 >= 0 }, "reshaped: negative dimension in \(shape)")
            let newCount = shape.reduce(1, *)
            precondition(newCount == count, "reshaped: \(self.shape) (\(count) elements) to \(shape) (\(newCount))")
            let output = Tensor(shape: shape, buffer: buffer)
            guard let tape = Tape.recording(for: self) else { return output }
            tape.record(output: output, name: "reshaped") { [self] outputGradient, gradients in
                gradients.accumulate(outputGradient.view(as: self.shape), into: self, isShared: true)
            }
            return output
        }
    }
}
