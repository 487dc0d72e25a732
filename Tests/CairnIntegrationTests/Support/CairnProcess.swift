import Foundation

/// Runs the `cairn` tool built beside the test bundle as a child process.
struct CairnProcess {
    /// The built `cairn` executable (`swift build --build-tests` builds it next to the test bundle).
    static var executable: String? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [folder.appendingPathComponent("cairn"),
                          folder.deletingLastPathComponent().appendingPathComponent("cairn")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }

    let process = Process()
    let output: URL

    /// `mpiexec.mpich`, when MPICH is installed.
    static var mpiexec: String? {
        ["/usr/bin/mpiexec.mpich", "/usr/local/bin/mpiexec.mpich"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `cairn <arguments>` — under `mpiexec.mpich -n <ranks>` when `mpiRanks` is set — with its output going
    /// to `output`.
    init(_ arguments: [String], output: URL, mpiRanks: Int? = nil) throws {
        guard let cairn = Self.executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "cairn was not built beside the tests"])
        }
        var executable = cairn
        var arguments = arguments
        if let mpiRanks {
            guard let mpiexec = Self.mpiexec else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "mpiexec.mpich is not installed"])
            }
            executable = mpiexec
            arguments = ["-n", String(mpiRanks), cairn] + arguments
        }
        self.output = output
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        try handle.seekToEnd()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.currentDirectoryURL = URL(fileURLWithPath: TrainingFixture.root)
        try process.run()
    }

    /// Sends SIGKILL (no chance to clean up, as a preempted machine or the OOM killer).
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// The process id of the `cairn` process running MPI rank `rank` whose command line mentions `marker`.
    static func mpiRankProcess(rank: Int, marker: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { continue }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.first?.hasSuffix("/cairn") == true, arguments.contains(where: { $0.contains(marker) }),
                variables.contains("PMI_RANK=\(rank)")
            {
                return pid
            }
        }
        return nil
    }

    /// Waits for the process to exit, at most `timeout`, and returns its status (`nil` on timeout, after killing it).
    func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill()
                process.waitUntilExit()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }
}
