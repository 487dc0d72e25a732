/// The process-wide OpenBLAS: loaded on first use, after choosing `OPENBLAS_CORETYPE` (see ``BLASLibrary``).
///
/// Loading happens once per process, thread-safely (a `static let`). A command-line tool should call ``load()``
/// early to report a missing or incompatible library as an error and to log ``BLASLibrary/description``; kernels
/// use ``library`` and ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, which stop the
/// process with the same message when OpenBLAS cannot be used, since no numerics can run without it.
public enum BLAS {
    private static let loaded: Result<BLASLibrary, TensorError> = Result { () throws(TensorError) in
        try BLASLibrary.open()
    }

    /// Orders thread-count changes against running products (see ``BLASThreadGate``).
    private static let gate = BLASThreadGate()

    /// Opens OpenBLAS if needed and returns it.
    ///
    /// - Throws: ``TensorError`` with code `blasUnavailable` (not installed, not OpenBLAS) or `blasIncompatible`
    ///   (an ILP64 build).
    @discardableResult
    public static func load() throws(TensorError) -> BLASLibrary {
        try loaded.get()
    }

    /// The loaded library: core name, configuration, thread count, and how its core type was chosen.
    ///
    /// > Important: Traps with the loading error's description when OpenBLAS is unusable; call ``load()`` first
    /// > where that should be reported as an error instead.
    public static var library: BLASLibrary {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): preconditionFailure("CairnTensor needs OpenBLAS: \(error)")
        }
    }

    /// Sets how many threads OpenBLAS uses per call (process-wide); at least 1. Waits for running products.
    public static func setThreadCount(_ count: Int) {
        let library = library
        gate.withExclusive { library.setThreadCount(count) }
    }

    /// The number of threads an ordinary product runs with (read under the gate, so never the count a
    /// single-threaded region has lowered it to).
    public static var threadCount: Int {
        let library = library
        return gate.withShared { library.threadCount }
    }

    /// Runs `body` with OpenBLAS limited to one thread per call, for kernels that call sgemm from several threads
    /// at once (each call then runs on its caller's thread instead of contending for OpenBLAS's thread pool).
    ///
    /// `body` must multiply with ``singleThreadedSgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    /// When the count must be lowered, the region holds the thread gate exclusively, so no product elsewhere in the
    /// process runs with the lowered count (its bits could change) and regions of different threads run one after
    /// another; when the count is already 1 the region only holds the gate shared.
    static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R {
        let library = library
        // Already one thread (several ranks share the cores): nothing to lower, so other ranks' products may run
        // alongside. The shared hold keeps the count from changing meanwhile.
        var result: R?
        try gate.withShared {
            if library.threadCount == 1 { result = try body() }
        }
        if let result { return result }
        return try gate.withExclusive {
            let count = library.threadCount
            if count != 1 { library.setThreadCount(1) }
            defer { if count != 1 { library.setThreadCount(count) } }
            return try body()
        }
    }

    /// sgemm for use inside ``withSingleThreadedCalls(_:)`` (it does not take the gate, which the region holds).
    static func singleThreadedSgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        checkArguments(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        library.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `C = alpha * op(A) * op(B) + beta * C` for row-major matrices with leading dimensions (cblas_sgemm).
    ///
    /// `op(A)` is `m × k` and `op(B)` is `k × n`; `lda`, `ldb`, `ldc` are the distances in elements between rows
    /// of the stored matrices, which lets kernels multiply strided views (one head of a `[B, T, H, D]` tensor)
    /// without copying. With `beta == 0`, `C` is written without being read.
    ///
    /// - Complexity: O(m · n · k).
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        checkArguments(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        let library = library
        gate.withShared {
            library.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    private static func checkArguments(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
    ) {
        precondition(
            m >= 0 && n >= 0 && k >= 0 && max(m, n, k, lda, ldb, ldc) <= Int(Int32.max),
            "BLAS.sgemm: sizes \(m)×\(n)×\(k) must be non-negative and fit 32-bit blasint")
        precondition(
            lda >= max(1, transposeA ? m : k) && ldb >= max(1, transposeB ? k : n) && ldc >= max(1, n),
            "BLAS.sgemm: leading dimensions \(lda), \(ldb), \(ldc) too small for \(m)×\(n)×\(k)")
    }
}
