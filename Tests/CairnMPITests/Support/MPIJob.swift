import Foundation
import Testing

/// Runs `cairn-mpi-check` under `mpiexec.mpich` from a test, with a wall-clock bound.
struct MPIJob {
    /// What a finished (or stopped) job did.
    struct Outcome: CustomStringConvertible {
        /// The launcher's exit status (non-zero when any rank failed).
        var status: Int32
        /// Standard output and error, interleaved.
        var output: String
        /// The wall-clock time until the launcher exited.
        var elapsed: Duration
        /// Whether the job outlived its bound and was terminated.
        var wasStopped: Bool

        var description: String {
            "status \(status) after \(elapsed)\(wasStopped ? " (stopped: over its bound)" : ""):\n\(output)"
        }
    }

    /// MPICH's launcher, called by its explicit name: Debian's plain `mpiexec` is OpenMPI's when both exist.
    static let launcher: URL? = searchPath(for: "mpiexec.mpich")

    /// Whether MPI jobs can run here.
    static var isLauncherInstalled: Bool { launcher != nil }

    /// The `cairn-mpi-check` executable: `$CAIRN_MPI_CHECK`, else beside this test binary in the build folder
    /// (`swift build --build-tests` and `swift test` build every executable product into the same folder).
    static func checker() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CAIRN_MPI_CHECK"] {
            return URL(fileURLWithPath: path)
        }
        let testBinaries = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            Bundle.main.executableURL, Bundle.main.bundleURL,
            CommandLine.arguments.first.map { URL(fileURLWithPath: $0) },
        ].compactMap { $0 }
        for binary in testBinaries {
            var folder = binary.deletingLastPathComponent()
            // On macOS the binary sits inside `CairnPackageTests.xctest/Contents/MacOS/`.
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("cairn-mpi-check")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw MissingChecker(searched: testBinaries.map(\.path))
    }

    /// Runs `mpiexec.mpich <launcherArguments> cairn-mpi-check <arguments>`, terminating it after `bound`.
    static func run(
        processes: Int, _ arguments: [String], launcherArguments: [String] = [], bound: Duration
    ) async throws -> Outcome {
        let launcher = try #require(launcher)
        let checker = try checker()
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("cairn-mpi-check-\(ProcessInfo.processInfo.processIdentifier)-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = launcher
        process.arguments = launcherArguments + ["-n", "\(processes)", checker.path] + arguments
        process.standardOutput = handle
        process.standardError = handle
        let clock = ContinuousClock()
        let started = clock.now
        try process.run()
        var wasStopped = false
        while process.isRunning {
            if clock.now - started > bound {
                wasStopped = true
                process.terminate()
                try await Task.sleep(for: .seconds(2))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        let elapsed = clock.now - started
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? "<no output>"
        return Outcome(status: process.terminationStatus, output: output, elapsed: elapsed, wasStopped: wasStopped)
    }

    private static func searchPath(for name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.lazy
            .map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// `cairn-mpi-check` was not found beside the test binary.
struct MissingChecker: Error, CustomStringConvertible {
    var searched: [String]

    var description: String {
        "cairn-mpi-check not found beside the test binary (looked near \(searched.joined(separator: ", "))); "
            + "build it with `swift build --build-tests` (which `make test` runs) or set CAIRN_MPI_CHECK"
    }
}
