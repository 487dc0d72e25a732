import CairnTrainer
import Foundation
import Testing

@Suite struct ScaffoldWriterTests {
    @Test func writesEveryFileIntoAFreshPackage() throws {
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            let scaffold = try StrategyScaffold(name: "LocalSGD")
            let written = try ScaffoldWriter(packageDirectory: package.path).write(scaffold, overwrite: false)
            #expect(written.map(\.path) == scaffold.files.map(\.path))
            #expect(written.allSatisfy { !$0.replacedExisting })
            for file in scaffold.files {
                #expect(try String(contentsOf: package.appending(path: file.path), encoding: .utf8) == file.contents)
            }
        }
    }

    @Test func refusesToOverwriteAndWritesNothing() throws {
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            let scaffold = try StrategyScaffold(name: "LocalSGD")
            let example = package.appending(path: scaffold.exampleConfigPath)
            try FileManager.default.createDirectory(
                at: example.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("mine\n".utf8).write(to: example)

            let error = #expect(throws: ScaffoldError.self) {
                try ScaffoldWriter(packageDirectory: package.path).write(scaffold, overwrite: false)
            }
            #expect(error?.code == .fileExists)
            #expect(error?.message.contains(scaffold.exampleConfigPath) == true)
            #expect(error?.message.contains("--force") == true)
            #expect(try String(contentsOf: example, encoding: .utf8) == "mine\n")
            #expect(!FileManager.default.fileExists(atPath: package.appending(path: scaffold.strategyPath).path))
        }
    }

    @Test func forceReplacesTheScaffoldsOwnFiles() throws {
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            let scaffold = try StrategyScaffold(name: "LocalSGD")
            let writer = ScaffoldWriter(packageDirectory: package.path)
            try writer.write(scaffold, overwrite: false)
            let strategy = package.appending(path: scaffold.strategyPath)
            try Data("edited\n".utf8).write(to: strategy)
            #expect(writer.existingFiles(of: scaffold) == scaffold.files.map(\.path))

            let written = try writer.write(scaffold, overwrite: true)
            #expect(written.allSatisfy { $0.replacedExisting })
            #expect(try String(contentsOf: strategy, encoding: .utf8) == scaffold.files[0].contents)
        }
    }

    @Test func neverWritesIntoAnotherModulesFolderEvenWithForce() throws {
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            let scaffold = try StrategyScaffold(name: "LocalSGD")
            let other = package.appending(path: "Sources/CairnLocalSGD/Other.swift")
            try FileManager.default.createDirectory(
                at: other.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("struct Other {}\n".utf8).write(to: other)

            for overwrite in [false, true] {
                let error = #expect(throws: ScaffoldError.self) {
                    try ScaffoldWriter(packageDirectory: package.path).write(scaffold, overwrite: overwrite)
                }
                #expect(error?.code == .moduleExists)
                #expect(error?.path == "Sources/CairnLocalSGD")
            }
            let contents = try FileManager.default.contentsOfDirectory(atPath: other.deletingLastPathComponent().path)
            #expect(contents == ["Other.swift"])
        }
    }

    @Test func refusesAFolderWithoutPackageSwift() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "cairn-scaffold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let error = #expect(throws: ScaffoldError.self) {
            try ScaffoldWriter(packageDirectory: folder.path).write(StrategyScaffold(name: "Demo"), overwrite: true)
        }
        #expect(error?.code == .notAPackage)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func manifestStyleFollowsWhetherThePackageIsCairn() throws {
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            let writer = ScaffoldWriter(packageDirectory: package.path)
            #expect(writer.manifestStyle == .dependentPackage)
            try FileManager.default.createDirectory(
                at: package.appending(path: "Sources/CairnCore"), withIntermediateDirectories: true)
            #expect(writer.manifestStyle == .cairnRepository)
        }
    }
}
