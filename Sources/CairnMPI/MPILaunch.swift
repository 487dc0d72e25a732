#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an MPI launcher (`mpiexec`, `mpirun`, `srun`) started this process, read from the environment it sets.
///
/// Detection never initializes MPI, so a program can decide between ``MPICommunicator`` and an in-process group
/// before touching the MPI library:
///
/// ```swift
/// if let launch = MPILaunch.detect() {
///     let communicator = try await MPICommunicator()   // rank launch.rank of launch.worldSize
/// } else {
///     let group = LocalRankGroup(worldSize: configuration.worldSize)
/// }
/// ```
public struct MPILaunch: Hashable, Sendable, CustomStringConvertible {
    /// The launcher family whose variables were found.
    public enum Launcher: String, Hashable, Sendable {
        /// MPICH's Hydra (`mpiexec.mpich`, `mpiexec.hydra`) and other PMI-1/PMI-2 launchers: `PMI_RANK`, `PMI_SIZE`.
        case pmi
        /// OpenMPI's `mpirun`: `OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`.
        case openMPI
        /// A PMIx launcher (OpenMPI 5, Slurm with PMIx): `PMIX_RANK`, with the size from another variable if any.
        case pmix
    }

    /// This process's rank in the launched job.
    public var rank: Int
    /// The number of processes launched, when the launcher says (PMIx alone does not).
    public var worldSize: Int?
    /// Which variables were found.
    public var launcher: Launcher

    /// Creates a description of a launch.
    public init(rank: Int, worldSize: Int?, launcher: Launcher) {
        self.rank = rank
        self.worldSize = worldSize
        self.launcher = launcher
    }

    public var description: String {
        "rank \(rank) of \(worldSize.map(String.init) ?? "?") (\(launcher.rawValue))"
    }

    // MARK: - Detection

    /// Returns the launch described by `environment`, or `nil` when no MPI launcher started this process.
    ///
    /// Checks MPICH/Hydra (`PMI_RANK`, `PMI_SIZE`), then OpenMPI (`OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`),
    /// then PMIx (`PMIX_RANK`, sized by `OMPI_COMM_WORLD_SIZE` or `SLURM_NTASKS` when present). Variables that are
    /// present but not non-negative integers (or a rank outside the size) are ignored, as if absent.
    /// - Parameter environment: the variables to read; the default is this process's environment.
    public static func detect(environment: [String: String] = currentEnvironment()) -> MPILaunch? {
        if let rank = nonNegative(environment["PMI_RANK"]) {
            return validated(MPILaunch(rank: rank, worldSize: positive(environment["PMI_SIZE"]), launcher: .pmi))
        }
        if let rank = nonNegative(environment["OMPI_COMM_WORLD_RANK"]) {
            return validated(
                MPILaunch(rank: rank, worldSize: positive(environment["OMPI_COMM_WORLD_SIZE"]), launcher: .openMPI))
        }
        if let rank = nonNegative(environment["PMIX_RANK"]) {
            let size = positive(environment["OMPI_COMM_WORLD_SIZE"]) ?? positive(environment["SLURM_NTASKS"])
            return validated(MPILaunch(rank: rank, worldSize: size, launcher: .pmix))
        }
        return nil
    }

    /// This process's environment variables.
    public static func currentEnvironment() -> [String: String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }

    // MARK: - Private helpers

    private static func nonNegative(_ text: String?) -> Int? {
        guard let text, let value = Int(text.trimmingWhitespace()), value >= 0 else { return nil }
        return value
    }

    private static func positive(_ text: String?) -> Int? {
        nonNegative(text).flatMap { $0 > 0 ? $0 : nil }
    }

    private static func validated(_ launch: MPILaunch) -> MPILaunch? {
        if let size = launch.worldSize, launch.rank >= size { return nil }
        return launch
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
