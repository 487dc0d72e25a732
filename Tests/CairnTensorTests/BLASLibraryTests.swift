import CairnCore
import CairnTensor
import Testing

@Suite struct BLASLibraryTests {
    @Test func libraryLoadsWithTheChosenCore() throws {
        let library = try BLAS.load()
        #expect(!library.coreName.isEmpty)
        #expect(library.configuration.contains("OpenBLAS"))
        #expect(library.threadCount >= 1)
        let expected = BLASCoreSelection.choose(cpuFlags: CPUFeatures.current(), environmentValue: nil)
        if library.coreSelection.source == .detectedFlags, !library.wasAlreadyLoaded {
            // On this project's AVX-512 machines OpenBLAS 0.3.21 must run SkylakeX, not generic Prescott.
            #expect(library.coreName == library.coreSelection.coreType)
            #expect(library.coreSelection == expected)
        }
    }

    @Test func sgemmHonoursTransposesAndLeadingDimensions() {
        // A is the left 2×3 block of a 2×4 buffer (lda 4); B is 3×2 stored transposed (2×3, ldb 3).
        let a: [Float] = [1, 2, 3, 99, 4, 5, 6, 99]
        let bTransposed: [Float] = [1, 0, 2, 0, 1, 3]  // B = [[1, 0], [0, 1], [2, 3]]
        var c: [Float] = [10, 10, 7, 10, 10, 7]  // ldc 3: the third column must stay 7
        a.withUnsafeBufferPointer { a in
            bTransposed.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(
                        transposeA: false, transposeB: true, m: 2, n: 2, k: 3, alpha: 2, a: a.baseAddress!, lda: 4,
                        b: b.baseAddress!, ldb: 3, beta: 1, c: c.baseAddress!, ldc: 3)
                }
            }
        }
        // A·B = [[7, 11], [16, 23]]; C = 2·A·B + C
        #expect(c == [24, 32, 7, 42, 56, 7])
    }

    @Test func threadCountCanBeChanged() {
        let original = BLAS.threadCount
        BLAS.setThreadCount(1)
        #expect(BLAS.threadCount == 1)
        BLAS.setThreadCount(original)
        #expect(BLAS.threadCount == original)
    }

    @Test func ilp64ConfigurationsAreRecognised() {
        #expect(BLASLibrary.isILP64(configuration: "OpenBLAS 0.3.21 USE64BITINT DYNAMIC_ARCH"))
        #expect(!BLASLibrary.isILP64(configuration: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH SkylakeX"))
    }
}
