#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cosines and sines of rotary position embedding for every position and frequency (Su et al., RoFormer).
///
/// Frequency i of a head of dimension D is θ^(−2i/D) for i < D/2, and position p rotates pair (i, i + D/2) by the
/// angle p · θ^(−2i/D). As in Hugging Face's `Qwen3RotaryEmbedding`, the inverse frequencies and the angles are
/// float32 products (so long positions round the same way); their cosine and sine are then taken accurately.
public struct RotaryTable: Sendable {
    /// The head dimension D (even).
    public let headDimension: Int
    /// The number of positions the table covers (`0..<maxPositions`).
    public let maxPositions: Int
    /// The base θ (`rope_theta`).
    public let theta: Double
    /// cos(p · θ^(−2i/D)) at `p * D/2 + i`.
    let cosines: [Float]
    /// sin(p · θ^(−2i/D)) at `p * D/2 + i`.
    let sines: [Float]

    /// Builds the table for positions `0..<maxPositions`.
    ///
    /// - Precondition: `headDimension` is even and positive, `maxPositions >= 0`.
    public init(headDimension: Int, maxPositions: Int, theta: Double) {
        precondition(
            headDimension > 0 && headDimension % 2 == 0, "RotaryTable: head dimension \(headDimension) must be even")
        precondition(maxPositions >= 0, "RotaryTable: negative maxPositions \(maxPositions)")
        self.headDimension = headDimension
        self.maxPositions = maxPositions
        self.theta = theta
        let half = headDimension / 2
        // inv_freq = 1 / θ^(2i/D) with float32 exponent, power and reciprocal, as torch computes it.
        let inverseFrequencies = (0..<half).map { i in
            1 / Float(pow(theta, Double(Float(2 * i) / Float(headDimension))))
        }
        var cosines = [Float](repeating: 0, count: maxPositions * half)
        var sines = [Float](repeating: 0, count: maxPositions * half)
        for position in 0..<maxPositions {
            for i in 0..<half {
                let angle = Double(Float(position) * inverseFrequencies[i])
                cosines[position * half + i] = Float(cos(angle))
                sines[position * half + i] = Float(sin(angle))
            }
        }
        self.cosines = cosines
        self.sines = sines
    }
}
