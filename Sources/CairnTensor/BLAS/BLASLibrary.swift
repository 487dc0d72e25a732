internal import CBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS, opened at run time with `dlopen` after ``BLASCoreSelection`` has set `OPENBLAS_CORETYPE`.
///
/// The `CBLAS` module deliberately does not link the library: OpenBLAS reads `OPENBLAS_CORETYPE` in its load-time
/// constructor, so a linked library would pick its kernels before any Cairn code runs. Each function is bound with
/// `dlsym` through the typedefs of `Sources/CBLAS/shim.h`, which take their signatures from `cblas.h`, so the
/// integer width always matches the header. An ILP64 build (64-bit `blasint`, `USE64BITINT` in its configuration)
/// would disagree with Debian's LP64 header and is refused.
///
/// Cairn also sets `OPENBLAS_THREAD_TIMEOUT=4` unless the user set it: by default an idle OpenBLAS worker spins
/// (calling `sched_yield`) for about 2²⁸ cycles after each call, stealing a core from Cairn's own parallel
/// kernels between matrix products. With the shortest timeout the workers sleep at once; waking them costs
/// microseconds per sgemm. Measured on the small-model training step: system time 0.25 → 0.04 s per step and
/// the step about 5 % faster.
///
/// Use the process-wide instance ``BLAS/library``; this type only describes and calls it.
public final class BLASLibrary: Sendable {
    /// The file name `dlopen` succeeded with (`libopenblas.so.0`).
    public let path: String
    /// The kernel family OpenBLAS runs (`openblas_get_corename()`), such as `SkylakeX` or `Prescott`.
    public let coreName: String
    /// The build configuration string (`openblas_get_config()`), such as `OpenBLAS 0.3.21 DYNAMIC_ARCH …`.
    public let configuration: String
    /// How `OPENBLAS_CORETYPE` was chosen before the library loaded.
    public let coreSelection: BLASCoreSelection
    /// Whether OpenBLAS was already in the process before Cairn opened it (another library linked it), in which
    /// case ``coreSelection`` could not take effect: ``coreName`` says what runs.
    public let wasAlreadyLoaded: Bool
    /// The OpenBLAS variables in effect when the library loaded (`OPENBLAS_CORETYPE`, `OPENBLAS_THREAD_TIMEOUT`,
    /// `OPENBLAS_NUM_THREADS`, …, those that were set), for logs.
    public let loadEnvironment: [String: String]

    /// The environment variable with the idle spin time of OpenBLAS's worker threads (2ⁿ cycles).
    public static let threadTimeoutVariable = "OPENBLAS_THREAD_TIMEOUT"
    /// The value Cairn sets when the user did not: the minimum, so idle workers sleep instead of spinning.
    public static let idleThreadTimeout = "4"
    /// The variables reported in ``loadEnvironment``.
    static let reportedVariables = [
        BLASCoreSelection.environmentVariable, threadTimeoutVariable, "OPENBLAS_NUM_THREADS", "OPENBLAS_VERBOSE",
    ]

    private let functions: Functions

    /// The C entry points, bound by `dlsym`.
    ///
    /// `@unchecked Sendable`: C function pointers into a library that is never closed are immutable addresses, and
    /// OpenBLAS's own entry points are safe to call from any thread.
    private struct Functions: @unchecked Sendable {
        let sgemm: cairn_cblas_sgemm_fn
        let setThreadCount: cairn_openblas_set_num_threads_fn
        let threadCount: cairn_openblas_get_num_threads_fn
    }

    /// The library names tried in order: the Debian runtime package's SONAME, the development symlink, macOS.
    public static let candidateNames = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]

    // MARK: - Loading

    /// Chooses the core type, sets `OPENBLAS_CORETYPE` when Cairn chose it, and opens and binds OpenBLAS.
    ///
    /// Call through ``BLAS/load()``, which does this once per process.
    ///
    /// - Throws: ``TensorError`` with code `blasUnavailable` when no candidate opens or a symbol is missing, and
    ///   `blasIncompatible` for an ILP64 build.
    static func open() throws(TensorError) -> BLASLibrary {
        let variable = BLASCoreSelection.environmentVariable
        let userValue = getenv(variable).map { String(cString: $0) }
        let selection = BLASCoreSelection.choose(cpuFlags: CPUFeatures.current(), environmentValue: userValue)
        if selection.source == .detectedFlags, let core = selection.coreType {
            setenv(variable, core, 1)
        }
        if getenv(threadTimeoutVariable) == nil {
            setenv(threadTimeoutVariable, idleThreadTimeout, 1)
        }
        var environment: [String: String] = [:]
        for name in reportedVariables {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }

        var errors: [String] = []
        for name in candidateNames {
            let alreadyLoaded =
                dlopen(name, RTLD_NOW | RTLD_NOLOAD).map { handle in
                    dlclose(handle)
                    return true
                } ?? false
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                errors.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            return try bind(
                handle: handle, path: name, selection: selection, wasAlreadyLoaded: alreadyLoaded,
                environment: environment)
        }
        throw TensorError(
            .blasUnavailable, context: candidateNames.joined(separator: ", "),
            "cannot open OpenBLAS; install it (Debian: apt-get install libopenblas-dev). "
                + "dlopen said: \(errors.joined(separator: "; "))")
    }

    private static func bind(
        handle: UnsafeMutableRawPointer, path: String, selection: BLASCoreSelection, wasAlreadyLoaded: Bool,
        environment: [String: String]
    ) throws(TensorError) -> BLASLibrary {
        func symbol<F>(_ name: String, as type: F.Type) throws(TensorError) -> F {
            guard let address = dlsym(handle, name) else {
                throw TensorError(
                    .blasUnavailable, context: path,
                    "the library has no symbol \(name); Cairn needs OpenBLAS (not the reference BLAS)")
            }
            return unsafeBitCast(address, to: F.self)
        }
        let configure = try symbol("openblas_get_config", as: cairn_openblas_get_config_fn.self)
        let configuration = configure().map { String(cString: $0) } ?? ""
        if isILP64(configuration: configuration) {
            throw TensorError(
                .blasIncompatible, context: "\(path): \(configuration)",
                "this OpenBLAS is an ILP64 build (USE64BITINT: 64-bit blasint) but cblas.h declares 32-bit "
                    + "integers; install the LP64 build (Debian: libopenblas0-pthread)")
        }
        let coreName = try symbol("openblas_get_corename", as: cairn_openblas_get_corename_fn.self)
        let functions = Functions(
            sgemm: try symbol("cblas_sgemm", as: cairn_cblas_sgemm_fn.self),
            setThreadCount: try symbol("openblas_set_num_threads", as: cairn_openblas_set_num_threads_fn.self),
            threadCount: try symbol("openblas_get_num_threads", as: cairn_openblas_get_num_threads_fn.self))
        return BLASLibrary(
            path: path, coreName: coreName().map { String(cString: $0) } ?? "unknown",
            configuration: configuration, coreSelection: selection, wasAlreadyLoaded: wasAlreadyLoaded,
            loadEnvironment: environment, functions: functions)
    }

    private init(
        path: String, coreName: String, configuration: String, coreSelection: BLASCoreSelection,
        wasAlreadyLoaded: Bool, loadEnvironment: [String: String], functions: Functions
    ) {
        self.path = path
        self.coreName = coreName
        self.configuration = configuration
        self.coreSelection = coreSelection
        self.wasAlreadyLoaded = wasAlreadyLoaded
        self.loadEnvironment = loadEnvironment
        self.functions = functions
    }

    /// Whether an OpenBLAS configuration string names an ILP64 (64-bit integer) build.
    public static func isILP64(configuration: String) -> Bool {
        configuration.contains("USE64BITINT")
    }

    // MARK: - Calls

    /// The number of threads OpenBLAS uses for one call.
    public var threadCount: Int { Int(functions.threadCount()) }

    /// Sets the number of threads OpenBLAS uses for one call (process-wide).
    func setThreadCount(_ count: Int) {
        functions.setThreadCount(Int32(clamping: max(1, count)))
    }

    /// `C = alpha * op(A) * op(B) + beta * C`, row-major.
    func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        functions.sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension BLASLibrary: CustomStringConvertible {
    /// `OpenBLAS SkylakeX, 2 threads (OPENBLAS_CORETYPE=SkylakeX (detected CPU flags); OPENBLAS_THREAD_TIMEOUT=4)`
    /// and the like, for logs.
    public var description: String {
        let timeout = loadEnvironment[Self.threadTimeoutVariable].map { "; \(Self.threadTimeoutVariable)=\($0)" } ?? ""
        var text = "OpenBLAS \(coreName), \(threadCount) threads (\(coreSelection)\(timeout))"
        if wasAlreadyLoaded { text += "; loaded by another library before Cairn chose the core type" }
        return text
    }
}
