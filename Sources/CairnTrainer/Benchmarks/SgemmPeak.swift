import CairnTensor
import Foundation

/// The machine's single-precision matrix-multiply speed through the BLAS Cairn uses: the limit training
/// throughput is judged against.
public enum SgemmPeak {
    /// The best GFLOP/s of `repeats` products of two `size`×`size` matrices (2·size³ FLOPs each), after one
    /// warm-up product, with the BLAS thread count in effect.
    public static func measure(size: Int = 2048, repeats: Int = 5) -> Double {
        let count = size * size
        let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        for i in 0..<count {
            a[i] = Float(i % 17) * 0.01
            b[i] = Float(i % 13) * 0.01
            c[i] = 0
        }
        var best = 0.0
        for attempt in 0...repeats {
            let start = ContinuousClock.now
            BLAS.sgemm(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1, a: a, lda: size,
                       b: b, ldb: size, beta: 0, c: c, ldc: size)
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            if attempt > 0 { best = max(best, 2 * Double(size) * Double(size) * Double(size) / seconds / 1e9) }
        }
        return best
    }
}
