import CairnCore
import CairnTensor
import Testing

@Suite struct CPUFeaturesTests {
    @Test func cpuInfoFlagsLineIsParsed() {
        let text = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            flags\t\t: fpu sse2 avx2 fma avx512f
            bugs\t\t: spectre_v1

            processor\t: 1
            flags\t\t: fpu
            """
        #expect(CPUFeatures.flags(fromCPUInfo: text) == ["fpu", "sse2", "avx2", "fma", "avx512f"])
        #expect(CPUFeatures.flags(fromCPUInfo: "Features\t: fp asimd sve\n") == ["fp", "asimd", "sve"])
        #expect(CPUFeatures.flags(fromCPUInfo: "model name : x\n").isEmpty)
    }
}
