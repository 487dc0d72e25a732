import Foundation

/// Writes a ``StrategyScaffold`` into a package folder: never over an existing file unless asked, and never into
/// a module folder that belongs to another module.
///
/// Every check runs before the first file is written, so a refusal leaves the package untouched.
public struct ScaffoldWriter: Sendable {
    /// One file the writer wrote.
    public struct WrittenFile: Hashable, Sendable {
        /// The path relative to the package root.
        public var path: String
        /// Whether a file was there before and got replaced.
        public var replacedExisting: Bool

        /// Creates a record.
        public init(path: String, replacedExisting: Bool) {
            self.path = path
            self.replacedExisting = replacedExisting
        }
    }

    /// The package's root folder (the one holding `Package.swift`).
    public var packageDirectory: String

    // MARK: - Initializers

    /// Creates a writer for the package at `packageDirectory`.
    public init(packageDirectory: String) {
        self.packageDirectory = packageDirectory
    }

    // MARK: - Public API

    /// Cairn's own repository when the package holds `Sources/CairnCore`, else a package that depends on Cairn.
    public var manifestStyle: StrategyScaffold.ManifestStyle {
        isDirectory(absolute("Sources/CairnCore")) ? .cairnRepository : .dependentPackage
    }

    /// The scaffold's files that already exist in the package, in scaffold order.
    public func existingFiles(of scaffold: StrategyScaffold) -> [String] {
        scaffold.files.map(\.path).filter { FileManager.default.fileExists(atPath: absolute($0)) }
    }

    /// Writes every file of `scaffold`, creating folders as needed.
    /// - Parameter overwrite: whether files the scaffold owns may be replaced (`--force`).
    /// - Returns: the files written, in scaffold order.
    /// - Throws: ``ScaffoldError``: `.notAPackage` (no `Package.swift`); `.moduleExists` (the module or test folder
    ///   exists without the scaffold's files in it: another module of that name); `.fileExists` (without
    ///   `overwrite`, listing every file in the way); `.writeFailed` (naming the files already written).
    @discardableResult
    public func write(_ scaffold: StrategyScaffold, overwrite: Bool) throws(ScaffoldError) -> [WrittenFile] {
        guard FileManager.default.fileExists(atPath: absolute("Package.swift")) else {
            throw ScaffoldError(
                .notAPackage, strategyName: scaffold.name, path: packageDirectory,
                "no Package.swift here; give the package's root folder (--package-path)")
        }
        try checkModuleFolder("Sources/\(scaffold.moduleName)", owner: scaffold.strategyPath, scaffold: scaffold)
        try checkModuleFolder(
            "Tests/\(scaffold.testModuleName)", owner: scaffold.conformanceTestsPath, scaffold: scaffold)
        let existing = Set(existingFiles(of: scaffold))
        if !overwrite, !existing.isEmpty {
            let list = scaffold.files.map(\.path).filter(existing.contains).map { "\n  " + $0 }.joined()
            throw ScaffoldError(
                .fileExists, strategyName: scaffold.name,
                "\(existing.count) of its files exist already in \(packageDirectory):\(list)\n"
                    + "nothing was written; rerun with --force to replace them")
        }
        var written: [WrittenFile] = []
        for file in scaffold.files {
            let url = URL(filePath: absolute(file.path))
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .atomic)
            } catch {
                let done = written.isEmpty ? "nothing written yet" : "already written: "
                    + written.map(\.path).joined(separator: ", ")
                throw ScaffoldError(
                    .writeFailed, strategyName: scaffold.name, path: file.path,
                    "could not write the file (\(done))", cause: error)
            }
            written.append(WrittenFile(path: file.path, replacedExisting: existing.contains(file.path)))
        }
        return written
    }

    // MARK: - Private helpers

    /// Refuses `folder` when it exists but lacks `owner`, the file a previous scaffold of this name would have
    /// written: then it is another module's folder, and `--force` must not pour files into it.
    private func checkModuleFolder(
        _ folder: String, owner: String, scaffold: StrategyScaffold
    ) throws(ScaffoldError) {
        guard FileManager.default.fileExists(atPath: absolute(folder)),
              !FileManager.default.fileExists(atPath: absolute(owner))
        else { return }
        throw ScaffoldError(
            .moduleExists, strategyName: scaffold.name, path: folder,
            "this folder exists but was not made by `cairn new-strategy \(scaffold.name)` (it has no \(owner)); "
                + "choose another name")
    }

    private func absolute(_ relativePath: String) -> String {
        URL(filePath: packageDirectory, directoryHint: .isDirectory).appending(path: relativePath).path
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
