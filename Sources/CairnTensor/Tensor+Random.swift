public import CairnCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// A tensor of `shape` filled with draws from N(mean, std²), deterministic for a given generator position.
    ///
    /// Box–Muller on pairs of uniform draws, in Double with libm: u₁, u₂ uniform in (0, 1] and [0, 1),
    /// z₀ = √(−2 ln u₁) · cos(2π u₂), z₁ = √(−2 ln u₁) · sin(2π u₂). Elements are filled in order, two per pair
    /// (an odd last element uses z₀ of a final pair), so `generator` advances by two words per pair.
    public static func normal(_ shape: [Int], mean: Float, std: Float, generator: inout PhiloxRandom) -> Tensor {
        let tensor = uninitialized(shape)
        let values = tensor.base
        var index = 0
        while index < tensor.count {
            let u1 = 1 - Double(generator.nextUniform())  // (0, 1]: log never sees 0
            let u2 = Double(generator.nextUniform())
            let radius = (-2 * log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            values[index] = Float(Double(mean) + Double(std) * radius * cos(angle))
            if index + 1 < tensor.count {
                values[index + 1] = Float(Double(mean) + Double(std) * radius * sin(angle))
            }
            index += 2
        }
        return tensor
    }

    /// A tensor of `shape` filled with uniform draws from [lower, upper), deterministic for a given generator
    /// position (one word per element).
    public static func uniform(
        _ shape: [Int], lower: Float, upper: Float, generator: inout PhiloxRandom
    ) -> Tensor {
        let tensor = uninitialized(shape)
        for index in 0..<tensor.count {
            tensor.base[index] = lower + (upper - lower) * generator.nextUniform()
        }
        return tensor
    }
}
