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

    /// Starts `cairn <arguments>` with its output going to `output`.
    init(_ arguments: [String], output: URL) throws {
        guard let executable = Self.executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "cairn was not built beside the tests"])
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
