public import CairnCore
import CairnTensor

/// Clipping by the global gradient norm, as `torch.nn.utils.clip_grad_norm_`:
/// `coefficient = min(1, max_norm / (‖g‖₂ + 1e-6))`, every gradient multiplied by it.
///
/// The norm is taken over the shards a rank's optimizer owns: partitioned shards (`.rows`, `.elements`) add
/// their squares across ranks with one all-reduce; replicated shards are identical everywhere and are counted
/// once. Squares are summed in double precision over fixed chunks, so the result does not depend on timing.
public enum GradientClipping {
    /// The global L2 norm of the gradients of `shards`.
    ///
    /// > Important: with partitioned shards this runs an all-reduce: every rank must call it.
    public static func globalNorm(of shards: [ParameterShard], communicator: any Communicator) async throws -> Double {
        var partitioned = 0.0
        var replicated = 0.0
        var hasPartitioned = false
        for shard in shards {
            let squares = sumOfSquares(shard.gradient)
            if case .replicated = shard.layout.placement {
                replicated += squares
            } else {
                partitioned += squares
                hasPartitioned = true
            }
        }
        // Every rank runs the same strategy, so every rank agrees on whether partitioned shards exist.
        if hasPartitioned && communicator.worldSize > 1 {
            partitioned = try await communicator.allReduce(partitioned, .sum)
        }
        return (partitioned + replicated).squareRoot()
    }

    /// Multiplies every gradient by `min(1, maxNorm / (norm + 1e-6))` and returns that coefficient.
    @discardableResult
    public static func clip(_ shards: [ParameterShard], norm: Double, maxNorm: Double) -> Double {
        let coefficient = min(1, maxNorm / (norm + 1e-6))
        let factor = Float(coefficient)
        for shard in shards {
            let gradient = shard.gradient
            Parallel.forEachChunk(count: gradient.count, minimumChunk: 1 << 15) { range in
                for i in range { gradient[i] *= factor }
            }
        }
        return coefficient
    }

    /// Σ x² in double precision over a fixed partition.
    static func sumOfSquares(_ values: UnsafeMutableBufferPointer<Float>) -> Double {
        let chunk = 1 << 14
        let chunkCount = (values.count + chunk - 1) / chunk
        guard chunkCount > 0 else { return 0 }
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkCount)
        defer { partials.deallocate() }
        Parallel.forEachChunk(count: chunkCount, minimumChunk: 4) { chunks in
            for c in chunks {
                var sum = 0.0
                for i in (c * chunk)..<min(values.count, (c + 1) * chunk) {
                    let x = Double(values[i])
                    sum += x * x
                }
                partials[c] = sum
            }
        }
        return partials.reduce(0, +)
    }
}
