import CairnCore
import CairnTensor
import Synchronization
import Testing

@Suite(.serialized) struct BLASThreadGateTests {
    /// An odd-shaped product whose bits differ between 1 and 2 OpenBLAS threads (measured on OpenBLAS 0.3.21).
    private static func oddProduct(_ a: [Float], _ b: [Float]) -> [UInt32] {
        var c = [Float](repeating: 0, count: 333 * 777)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: 333, n: 777, k: 555, alpha: 1, a: a.baseAddress!,
                        lda: 555, b: b.baseAddress!, ldb: 777, beta: 0, c: c.baseAddress!, ldc: 777)
                }
            }
        }
        return c.map(\.bitPattern)
    }

    /// Shared state for the two threads of the race test.
    ///
    /// `@unchecked Sendable`: each thread writes only its own array, read after both finished; the flag is atomic.
    private final class RaceResults: @unchecked Sendable {
        var products: [[UInt32]] = []
        /// The thread count before and after each attention call.
        var attentionThreadCounts: [(before: Int, after: Int)] = []
        let productsDone = Atomic<Bool>(false)
        let attentionStarted = Atomic<Bool>(false)
    }

    @Test func productsNeverRunWhileAttentionLowersTheThreadCount() throws {
        let original = BLAS.threadCount
        BLAS.setThreadCount(2)
        defer { BLAS.setThreadCount(original) }
        let a = TestData.uniform(333 * 555, label: "gate-a")
        let b = TestData.uniform(555 * 777, label: "gate-b")
        let expected = Self.oddProduct(a, b)
        BLAS.setThreadCount(1)
        let singleThreaded = Self.oddProduct(a, b)
        BLAS.setThreadCount(2)
        // The premise: this product's bits depend on the thread count, so one run with the lowered count shows.
        guard singleThreaded != expected else { return }
        let results = RaceResults()
        DispatchQueueRace.run { worker in
            if worker == 0 {
                while !results.attentionStarted.load(ordering: .acquiring) {}
                for _ in 0..<20 {
                    // Other suites' training runs set the process-wide count too (dividing threads among ranks);
                    // a product that ran under such a change is not this test's evidence.
                    let before = BLAS.threadCount
                    let product = Self.oddProduct(a, b)
                    if before == 2 && BLAS.threadCount == 2 { results.products.append(product) }
                }
                results.productsDone.store(true, ordering: .releasing)
            } else {
                // Attention (single-threaded sgemm in parallel chunks) runs for as long as the products do.
                let q = Tensor(shape: [2, 64, 4, 16], values: TestData.uniform(2 * 64 * 4 * 16, label: "gate-q"))
                let k = Tensor(shape: [2, 64, 2, 16], values: TestData.uniform(2 * 64 * 2 * 16, label: "gate-k"))
                results.attentionStarted.store(true, ordering: .releasing)
                while !results.productsDone.load(ordering: .acquiring) {
                    let before = BLAS.threadCount
                    _ = causalAttention(query: q, key: k, value: k, scale: 0.25)
                    results.attentionThreadCounts.append((before, BLAS.threadCount))
                }
            }
        }
        #expect(!results.attentionThreadCounts.isEmpty)
        #expect(!results.products.isEmpty)
        #expect(results.products.allSatisfy { $0 == expected })
        // Restored after every call (a count another suite changed meanwhile is not attention's doing).
        #expect(!results.attentionThreadCounts.contains { $0.before == 2 && $0.after == 1 })
    }
}
