import CairnCore
import CairnTensor
import Testing

@Suite struct BLASCoreSelectionTests {
    @Test func userEnvironmentWins() {
        let choice = BLASCoreSelection.choose(
            cpuFlags: ["avx512f", "avx512bw", "avx512vl", "avx512dq"], environmentValue: "Haswell")
        #expect(choice == BLASCoreSelection(coreType: "Haswell", source: .userEnvironment))
    }

    @Test func avx512ChoosesSkylakeX() {
        let flags: Set<String> = ["sse2", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]
        #expect(
            BLASCoreSelection.choose(cpuFlags: flags, environmentValue: nil)
                == BLASCoreSelection(coreType: "SkylakeX", source: .detectedFlags))
        // An empty variable counts as unset.
        #expect(BLASCoreSelection.choose(cpuFlags: flags, environmentValue: "").coreType == "SkylakeX")
    }

    @Test func partialAVX512FallsBackToHaswell() {
        let flags: Set<String> = ["avx2", "fma", "avx512f", "avx512cd"]  // no BW/VL/DQ (Knights Landing)
        #expect(
            BLASCoreSelection.choose(cpuFlags: flags, environmentValue: nil)
                == BLASCoreSelection(coreType: "Haswell", source: .detectedFlags))
    }

    @Test func olderCPUsLeaveTheChoiceToOpenBLAS() {
        #expect(
            BLASCoreSelection.choose(cpuFlags: ["sse2", "avx"], environmentValue: nil)
                == BLASCoreSelection(coreType: nil, source: .libraryDefault))
        #expect(BLASCoreSelection.choose(cpuFlags: ["avx2"], environmentValue: nil).source == .libraryDefault)
        #expect(BLASCoreSelection.choose(cpuFlags: [], environmentValue: nil).coreType == nil)
    }
}
