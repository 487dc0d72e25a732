public import CairnCore

// MARK: - Dropout

/// Inverted dropout: zeroes each element with probability p and scales the survivors by 1 / (1 − p), so the
/// expected value is unchanged.
///
/// Element i keeps its value when the i-th uniform float drawn from `generator` (24 bits, in [0, 1)) is ≥ p. The
/// draws are made in element order from the generator's current position, in parallel chunks that start at the
/// right position of the counter-based stream, and `generator` ends where drawing one word per element
/// sequentially would leave it: the mask does not depend on the partition, and resuming a saved generator
/// reproduces it. With p = 0 the input is returned unchanged and the generator does not advance.
///
/// - Parameters:
///   - x: Any shape.
///   - probability: p, in `0..<1`.
///   - generator: The stream to draw from; advanced by `x.count` words.
/// - Returns: The shape of `x`.
///
/// Backward: dx = dy ⊙ mask / (1 − p).
public func dropout(_ x: Tensor, probability: Float, generator: inout PhiloxRandom) -> Tensor {
    return profiled("dropout") {
        precondition(
            probability >= 0 && probability < 1,
            "dropout: probability \(probability) outside 0..<1 (validate the config)")
        if probability == 0 || x.count == 0 { return x }
        let keepScale = 1 / (1 - probability)
        let mask = Tensor.uninitialized(x.shape)  // keepScale for kept elements, 0 for dropped ones
        let start = DropoutKernels.wordPosition(of: generator)
        let stream = (seed: generator.seed, stream: generator.stream)
        Parallel.forEachChunk(count: x.count, minimumChunk: 1 << 14) { range in
            var chunkGenerator = DropoutKernels.generator(
                seed: stream.seed, stream: stream.stream, at: start + UInt64(range.lowerBound))
            for index in range {
                mask.base[index] = chunkGenerator.nextUniform() >= probability ? keepScale : 0
            }
        }
        generator = DropoutKernels.generator(
            seed: generator.seed, stream: generator.stream, at: start + UInt64(x.count))
        let output = Tensor.uninitialized(x.shape)
        ElementwiseKernels.multiply(x.base, mask.base, factor: 1, into: output.base, count: x.count)
        guard let tape = Tape.recording(for: x) else { return output }
        tape.record(output: output, name: "dropout") { outputGradient, gradients in
            guard gradients.needsGradient(x) else { return }
            let inputGradient = Tensor.uninitialized(x.shape)
            ElementwiseKernels.multiply(
                outputGradient.base, mask.base, factor: 1, into: inputGradient.base, count: x.count)
            gradients.accumulate(inputGradient, into: x)
        }
        return output
    }
}

/// Positions in a Philox word stream, for splitting draws across chunks.
enum DropoutKernels {
    /// The index of the next 32-bit word `generator` will return, counted from the start of its stream.
    static func wordPosition(of generator: PhiloxRandom) -> UInt64 {
        generator.blockCounter &* 4 &- 4 &+ UInt64(generator.wordIndex)
    }

    /// A generator whose next word is word `position` of the stream, in the same state sequential draws reach.
    static func generator(seed: UInt64, stream: UInt64, at position: UInt64) -> PhiloxRandom {
        let word = Int(position % 4)
        if word == 0 {
            return PhiloxRandom(seed: seed, stream: stream, blockCounter: position / 4, wordIndex: 4)
        }
        return PhiloxRandom(seed: seed, stream: stream, blockCounter: position / 4 + 1, wordIndex: word)
    }
}
