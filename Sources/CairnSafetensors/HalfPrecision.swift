/// Conversions between `Float` and the 16-bit float formats of Hugging Face checkpoints, by bit manipulation.
///
/// Written without Swift's `Float16`, which is missing on some platforms (macOS on Intel). bfloat16 is the upper
/// half of a float32 (8-bit exponent, 7-bit mantissa); float16 is IEEE 754 binary16 (5-bit exponent, 10-bit
/// mantissa, subnormals below 2⁻¹⁴). Widening is exact for every bit pattern; narrowing rounds to nearest,
/// ties to even, as `torch.Tensor.to(torch.bfloat16)` and `.to(torch.float16)` do.
public enum HalfPrecision {
    // MARK: - Widening (exact)

    /// The float32 value of the bfloat16 bit pattern `bits` (exact; NaN payloads are kept).
    @inline(__always)
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The float32 value of the IEEE binary16 bit pattern `bits` (exact, subnormals included; NaN payloads are
    /// kept).
    @inline(__always)
    public static func float(fromFloat16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in float32 (at most 10 significant bits).
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 0x1F:
            // Infinity (mantissa 0) or NaN (payload moved to the top of float32's mantissa).
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
        }
    }

    // MARK: - Narrowing (round to nearest even)

    /// The bfloat16 bit pattern nearest to `value` (ties to even; overflow gives infinity; a NaN stays a quiet
    /// NaN with its sign).
    @inline(__always)
    public static func bfloat16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// The IEEE binary16 bit pattern nearest to `value` (ties to even; magnitudes from 65520 up give infinity;
    /// results below 2⁻¹⁴ are subnormal or zero; a NaN stays a quiet NaN with its sign).
    public static func float16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal result: keep 10 mantissa bits, round on the 13 dropped ones; a carry may bump the exponent
            // (up to infinity, 0x7C00, which is the right answer for 65520 and above).
            var combined = UInt32(unbiased + 15) << 10 | mantissa >> 13
            let dropped = mantissa & 0x1FFF
            if dropped > 0x1000 || (dropped == 0x1000 && combined & 1 == 1) { combined += 1 }
            return sign | UInt16(truncatingIfNeeded: combined)
        }
        if unbiased < -25 { return sign }  // below half the smallest subnormal (2⁻²⁵): rounds to zero
        // Subnormal result: the value is significand · 2^(unbiased − 23); in units of 2⁻²⁴ that is
        // significand >> (−unbiased − 1), rounded to nearest even on the bits shifted out.
        let significand = mantissa | 0x80_0000
        let shift = UInt32(-unbiased - 1)
        var quotient = significand >> shift
        let remainder = significand & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
        return sign | UInt16(truncatingIfNeeded: quotient)
    }
}
