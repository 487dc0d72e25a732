import CairnCore
import Testing

@testable import CairnSafetensors

/// (float32 bits, bfloat16 bits, float16 bits) from `torch.tensor(v, dtype=float32).to(bfloat16 / float16)`
/// (torch 2.13.0): round to nearest even, overflow to infinity, subnormals.
private let torchNarrowing: [(UInt32, UInt16, UInt16)] = [
    (0x3F80_0000, 0x3F80, 0x3C00),  // 1.0
    (0x4049_0FDB, 0x4049, 0x4248),  // 3.1415927
    (0x3F80_8000, 0x3F80, 0x3C04),  // 1.00390625: bf16 tie, to even
    (0x3F81_8000, 0x3F82, 0x3C0C),  // 1.01171875: bf16 tie, to even (upwards)
    (0x7F7F_FFFF, 0x7F80, 0x7C00),  // Float.greatestFiniteMagnitude → inf in both
    (0xFF7F_FFFF, 0xFF80, 0xFC00),  // -Float.greatestFiniteMagnitude
    (0x0001_16C2, 0x0001, 0x0000),  // 1e-40: float32 subnormal → bf16 subnormal
    (0x8000_0001, 0x8000, 0x8000),  // -1e-45 → -0
    (0x477F_E000, 0x4780, 0x7BFF),  // 65504: largest float16
    (0x477F_EFFF, 0x4780, 0x7BFF),  // 65519.996
    (0x477F_F000, 0x4780, 0x7C00),  // 65520 → float16 inf
    (0x3300_0000, 0x3300, 0x0000),  // 2^-25: float16 tie between 0 and 2^-24, to even (0)
    (0x3300_0001, 0x3300, 0x0001),  // just above 2^-25 → smallest subnormal
    (0x33C0_0000, 0x33C0, 0x0002),  // 1.5 · 2^-24: tie, to even (2)
    (0x3420_0000, 0x3420, 0x0002),  // 2.5 · 2^-24: tie, to even (2)
    (0x387F_DA40, 0x3880, 0x03FF),  // 6.1e-5: largest subnormal
    (0x8000_0000, 0x8000, 0x8000),  // -0.0
    (0x322B_CC77, 0x322C, 0x0000),  // 1e-8
    (0x3DCC_CCCD, 0x3DCD, 0x2E66),  // 0.1
    (0xC2F6_E979, 0xC2F7, 0xD7B7),  // -123.456
]

@Test func narrowingMatchesTorch() {
    for (floatBits, bfloat16, float16) in torchNarrowing {
        let value = Float(bitPattern: floatBits)
        #expect(HalfPrecision.bfloat16(from: value) == bfloat16, "bf16 of \(value)")
        #expect(HalfPrecision.float16(from: value) == float16, "f16 of \(value)")
    }
}

@Test func float16WideningTable() {
    let table: [(UInt16, Float)] = [
        (0x0000, 0), (0x0001, 0x1p-24), (0x03FF, 1023 * 0x1p-24), (0x0400, 0x1p-14), (0x3C00, 1),
        (0x3C01, 1 + 0x1p-10), (0xC000, -2), (0x7BFF, 65504), (0x3555, 0.333251953125), (0x8001, -0x1p-24),
    ]
    for (bits, expected) in table {
        #expect(HalfPrecision.float(fromFloat16: bits) == expected, "0x\(String(bits, radix: 16))")
    }
    #expect(HalfPrecision.float(fromFloat16: 0x8000).bitPattern == 0x8000_0000)  // -0 keeps its sign
    #expect(HalfPrecision.float(fromFloat16: 0x7C00) == .infinity)
    #expect(HalfPrecision.float(fromFloat16: 0xFC00) == -.infinity)
    #expect(HalfPrecision.float(fromFloat16: 0x7E00).isNaN)
    #expect(HalfPrecision.float(fromFloat16: 0x7C01).isNaN)  // signalling NaN stays NaN, not infinity
    #expect(HalfPrecision.float(fromFloat16: 0xFE00).sign == .minus)
}

@Test func bfloat16WideningTable() {
    #expect(HalfPrecision.float(fromBFloat16: 0x3F80) == 1)
    #expect(HalfPrecision.float(fromBFloat16: 0xC040) == -3)
    #expect(HalfPrecision.float(fromBFloat16: 0x4049) == 3.140625)
    #expect(HalfPrecision.float(fromBFloat16: 0x0001) == Float(bitPattern: 0x0001_0000))  // subnormal
    #expect(HalfPrecision.float(fromBFloat16: 0x7F80) == .infinity)
    #expect(HalfPrecision.float(fromBFloat16: 0xFF80) == -.infinity)
    #expect(HalfPrecision.float(fromBFloat16: 0x7FC0).isNaN)
    #expect(HalfPrecision.float(fromBFloat16: 0x8000).bitPattern == 0x8000_0000)
}

@Test func everyHalfPatternSurvivesARoundTrip() {
    for bits in 0...UInt16.max {
        let float16 = HalfPrecision.float(fromFloat16: bits)
        let bfloat16 = HalfPrecision.float(fromBFloat16: bits)
        if float16.isNaN {
            #expect(HalfPrecision.float16(from: float16) & 0x7C00 == 0x7C00)
            #expect(HalfPrecision.float16(from: float16) & 0x03FF != 0)
        } else if HalfPrecision.float16(from: float16) != bits {
            Issue.record("float16 0x\(String(bits, radix: 16)) → \(float16) → 0x\(String(HalfPrecision.float16(from: float16), radix: 16))")
        }
        if bfloat16.isNaN {
            #expect(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: bfloat16)).isNaN)
        } else if HalfPrecision.bfloat16(from: bfloat16) != bits {
            Issue.record("bfloat16 0x\(String(bits, radix: 16)) does not round-trip")
        }
    }
}

#if !(os(macOS) && arch(x86_64))
    /// Swift's `Float16` (present on Linux x86_64 and arm64) as an independent reference.
    @Test func float16AgreesWithSwiftFloat16() {
        for bits in 0...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let ours = HalfPrecision.float(fromFloat16: bits)
            if reference.isNaN {
                #expect(ours.isNaN)
                #expect(ours.sign == reference.sign)
            } else if ours.bitPattern != reference.bitPattern {
                Issue.record("0x\(String(bits, radix: 16)): \(ours) != \(reference)")
            }
        }
        var generator = PhiloxRandom(seed: 16)
        let specials: [UInt32] = [0, 0x8000_0000, 0x3300_0000, 0x3380_0000, 0x3880_0000, 0x477F_F000, 0x7F80_0000]
        for step in 0..<200_000 {
            let bits = step < specials.count ? specials[step] : generator.next32()
            // Half of the random cases land in float16's range, where rounding matters most.
            let value = step % 2 == 0 ? Float(bitPattern: bits) : Float(bitPattern: 0x3000_0000 + bits % 0x1800_0000)
            guard !value.isNaN else { continue }
            let reference = Float16(value).bitPattern
            if HalfPrecision.float16(from: value) != reference {
                Issue.record("\(value) (0x\(String(bits, radix: 16))): 0x\(String(HalfPrecision.float16(from: value), radix: 16)) != 0x\(String(reference, radix: 16))")
                return
            }
        }
    }
#endif
