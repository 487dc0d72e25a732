import Foundation

/// Temporary packages and the Swift compiler, for the scaffolding tests.
enum ScaffoldingTestSupport {
    /// Runs `body` with a fresh folder holding a minimal `Package.swift`, removed afterwards.
    static func withTemporaryPackage(_ body: (URL) throws -> Void) throws {
        let package = FileManager.default.temporaryDirectory.appending(path: "cairn-scaffold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: package) }
        try Data("// swift-tools-version: 6.2\n".utf8).write(to: package.appending(path: "Package.swift"))
        try body(package)
    }

    /// The folder of `.swiftmodule`s built beside this test binary (`.build/debug/Modules`), found by walking up
    /// from the executable; `nil` when there is none.
    static func builtModulesDirectory(containing module: String) -> URL? {
        var folder = URL(filePath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appending(path: "Modules")
            if FileManager.default.fileExists(atPath: candidate.appending(path: "\(module).swiftmodule").path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// The package's root, from this file's path (`Tests/CairnTrainerTests/Scaffolding/…`).
    static var packageRoot: URL {
        URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Runs `swiftc` from `PATH` with `arguments`; returns its exit status and everything it printed.
    static func swiftc(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["swiftc"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
