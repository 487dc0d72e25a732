/// Which OpenBLAS kernel family (`OPENBLAS_CORETYPE`) Cairn asks for before the library loads, and why.
///
/// OpenBLAS 0.3.21 picks its kernels once, in a library constructor, from the CPU model it recognises or from
/// `OPENBLAS_CORETYPE`. It does not recognise every recent x86 CPU and then falls back to generic "Prescott"
/// kernels (about a fifth of the speed on an AVX-512 machine). Cairn therefore chooses the core type itself from
/// the CPU's feature flags, unless the user already set the variable, and only then opens the library.
///
/// The choice is a pure function of the flags and the environment (``choose(cpuFlags:environmentValue:)``), so it
/// is unit-tested without touching the process.
public struct BLASCoreSelection: Hashable, Sendable, CustomStringConvertible {
    /// Where the core type came from.
    public enum Source: String, Hashable, Sendable {
        /// The user set `OPENBLAS_CORETYPE`; Cairn left it alone.
        case userEnvironment
        /// Cairn set `OPENBLAS_CORETYPE` from the CPU's feature flags.
        case detectedFlags
        /// Neither: OpenBLAS detects the CPU itself.
        case libraryDefault
    }

    /// The environment variable OpenBLAS reads at load time.
    public static let environmentVariable = "OPENBLAS_CORETYPE"
    /// The flags that make the AVX-512 `SkylakeX` kernels safe to run.
    public static let skylakeXFlags: Set<String> = ["avx512f", "avx512bw", "avx512vl", "avx512dq"]
    /// The flags that make the AVX2 + FMA `Haswell` kernels safe to run.
    public static let haswellFlags: Set<String> = ["avx2", "fma"]

    /// The value of `OPENBLAS_CORETYPE` in effect when the library loads; `nil` lets OpenBLAS decide.
    public var coreType: String?
    /// Where ``coreType`` came from.
    public var source: Source

    /// Creates a selection.
    public init(coreType: String?, source: Source) {
        self.coreType = coreType
        self.source = source
    }

    /// Chooses the core type: the user's non-empty `OPENBLAS_CORETYPE` wins; otherwise `SkylakeX` when the CPU
    /// has AVX-512 F, BW, VL and DQ, `Haswell` when it has AVX2 and FMA, else nothing (OpenBLAS's own detection).
    ///
    /// - Parameters:
    ///   - cpuFlags: The CPU's feature flags as `/proc/cpuinfo` names them (`avx512f`, `avx2`, `fma`, …).
    ///   - environmentValue: The current value of `OPENBLAS_CORETYPE`, or `nil` when unset.
    public static func choose(cpuFlags: Set<String>, environmentValue: String?) -> BLASCoreSelection {
        if let value = environmentValue, !value.isEmpty {
            return BLASCoreSelection(coreType: value, source: .userEnvironment)
        }
        if skylakeXFlags.isSubset(of: cpuFlags) {
            return BLASCoreSelection(coreType: "SkylakeX", source: .detectedFlags)
        }
        if haswellFlags.isSubset(of: cpuFlags) {
            return BLASCoreSelection(coreType: "Haswell", source: .detectedFlags)
        }
        return BLASCoreSelection(coreType: nil, source: .libraryDefault)
    }

    /// `OPENBLAS_CORETYPE=SkylakeX (detected CPU flags)` and the like, for logs.
    public var description: String {
        switch source {
        case .userEnvironment: "\(Self.environmentVariable)=\(coreType ?? "") (set by the user)"
        case .detectedFlags: "\(Self.environmentVariable)=\(coreType ?? "") (detected CPU flags)"
        case .libraryDefault: "\(Self.environmentVariable) unset (OpenBLAS detects the CPU)"
        }
    }
}
