/// The SIMD vector the kernels compute with: 16 floats (four SSE registers on the baseline x86-64 target).
typealias FloatVector = SIMD16<Float>

/// Vectorised elementary functions and unaligned loads and stores for the kernels.
///
/// Built without a `-target-cpu` flag, so the baseline is SSE2: no FMA (``exp(_:)`` writes `a * b + c`, because
/// `SIMD.addingProduct` would call libm's `fmaf` per lane) and no rounding instruction (rounding uses the
/// 1.5 × 2²³ "magic number" trick instead).
enum VectorMath {
    /// The number of lanes of ``FloatVector``.
    static let width = FloatVector.scalarCount

    // MARK: - Loads and stores

    /// The 16 floats at `pointer` (no alignment needed).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
    }

    /// Stores 16 floats at `pointer` (no alignment needed).
    @inline(__always)
    static func store(_ vector: FloatVector, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: FloatVector.self)
    }

    /// The first `count` (< 16) floats at `pointer`, the other lanes set to `padding`.
    @inline(__always)
    static func loadPartial(_ pointer: UnsafePointer<Float>, count: Int, padding: Float = 0) -> FloatVector {
        var vector = FloatVector(repeating: padding)
        for lane in 0..<count { vector[lane] = pointer[lane] }
        return vector
    }

    /// Stores the first `count` (< 16) lanes of `vector` at `pointer`.
    @inline(__always)
    static func storePartial(_ vector: FloatVector, to pointer: UnsafeMutablePointer<Float>, count: Int) {
        for lane in 0..<count { pointer[lane] = vector[lane] }
    }

    // MARK: - exp

    /// Below this, `exp` underflows float32 (ln of the smallest normal float); results are 0.
    static let expLowerLimit: Float = -87.336_54
    /// Above this, results saturate at exp(88) ≈ 1.65e38 (so 2ⁿ stays a normal float).
    static let expUpperLimit: Float = 88.0

    /// e^x per lane (NaN for NaN), within about 2 ulp of the correctly rounded result on [-87.3, 88].
    ///
    /// Cody–Waite range reduction x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in a 9-bit high part, exact when
    /// multiplied by n, and a low part), e^r by the degree-7 minimax polynomial of Cephes' `expf`
    /// (1 + r + r²·P(r)), and 2ⁿ built in the exponent bits.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let log2e: Float = 1.442_695_04
        let ln2High: Float = 0.693_359_375
        let ln2Low: Float = -2.121_944_4e-4
        let magic: Float = 12_582_912  // 1.5 × 2²³: adding it rounds to an integer held in the low mantissa bits
        // Clamp with compare-and-select: SIMD `clamped`/`pointwiseMin` are lowered lane by lane (~15× slower).
        let underflows = x .< expLowerLimit
        let clamped = x.replacing(with: expUpperLimit, where: x .> expUpperLimit)
            .replacing(with: expLowerLimit, where: underflows)
        let shifted = clamped * log2e + magic
        let n = shifted - magic
        let r = (clamped - n * ln2High) - n * ln2Low
        var p = FloatVector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let expR = p * (r * r) + r + 1
        let exponent = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
        let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: FloatVector.self)
        // Below the limit the result is 0; NaN stays NaN (the clamp would have hidden it).
        return (expR * scale).replacing(with: 0, where: underflows).replacing(with: x, where: x .!= x)
    }

    /// e^x for one float, computed by the same polynomial as the vector version (so tails match bodies).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(FloatVector(repeating: x))[0]
    }

    /// The logistic sigmoid 1 / (1 + e^-x) per lane.
    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        1 / (1 + exp(-x))
    }

    // MARK: - Reductions

    /// The sum of `count` floats at `pointer`, accumulated in 16 lanes and then across lanes.
    @inline(__always)
    static func sum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = FloatVector()
        var index = 0
        while index + width <= count {
            accumulator += load(pointer + index)
            index += width
        }
        if index < count { accumulator += loadPartial(pointer + index, count: count - index) }
        return accumulator.sum()
    }

    /// The largest of `count` (> 0) floats at `pointer` (compare-and-select: `pointwiseMax` is lowered lane by lane).
    @inline(__always)
    static func maximum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = FloatVector(repeating: -.infinity)
        var index = 0
        while index + width <= count {
            let value = load(pointer + index)
            accumulator = accumulator.replacing(with: value, where: value .> accumulator)
            index += width
        }
        if index < count {
            let value = loadPartial(pointer + index, count: count - index, padding: -.infinity)
            accumulator = accumulator.replacing(with: value, where: value .> accumulator)
        }
        return accumulator.max()
    }

    /// Σ a[i]·b[i] over `count` floats.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = FloatVector()
        var index = 0
        while index + width <= count {
            accumulator += load(a + index) * load(b + index)
            index += width
        }
        if index < count {
            accumulator += loadPartial(a + index, count: count - index) * loadPartial(b + index, count: count - index)
        }
        return accumulator.sum()
    }
}
