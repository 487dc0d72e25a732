import CairnTrainer
import Foundation
import Testing

/// The generated Swift is valid: every file parses, and the module and its options tests type-check against the
/// `CairnCore` and `CairnConfig` modules built for this test target, with Cairn's strict settings.
///
/// The conformance test file is only parsed here: it needs `CairnConformance`, which this target does not build.
/// The full proof (scaffold into a copy of the repository, add the manifest lines, `swift test`) is too slow for a
/// unit test and is described in `cairn new-strategy`'s report.
@Suite(.serialized) struct StrategyScaffoldCompileTests {
    /// Cairn's `strictSettings` as compiler flags.
    private static let strictFlags = [
        "-swift-version", "6", "-parse-as-library",
        "-enable-upcoming-feature", "ExistentialAny", "-enable-upcoming-feature", "MemberImportVisibility",
        "-enable-upcoming-feature", "InternalImportsByDefault",
        "-enable-upcoming-feature", "NonisolatedNonsendingByDefault",
    ]

    @Test(arguments: ["Demo", "LocalSGD", "FSDP2"])
    func everyGeneratedSwiftFileParses(name: String) throws {
        let scaffold = try StrategyScaffold(name: name)
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            try ScaffoldWriter(packageDirectory: package.path).write(scaffold, overwrite: false)
            let swiftFiles = scaffold.files.map(\.path).filter { $0.hasSuffix(".swift") }
            #expect(swiftFiles.count == 4)
            let result = try ScaffoldingTestSupport.swiftc(
                ["-parse"] + swiftFiles.map { package.appending(path: $0).path })
            #expect(result.status == 0, "swiftc -parse failed:\n\(result.output)")
        }
    }

    @Test func moduleAndOptionsTestsTypeCheckAgainstCairn() throws {
        let modules = try #require(
            ScaffoldingTestSupport.builtModulesDirectory(containing: "CairnConfig"),
            "no Modules/CairnConfig.swiftmodule beside \(CommandLine.arguments[0])")
        let scaffold = try StrategyScaffold(name: "LocalSGD")
        try ScaffoldingTestSupport.withTemporaryPackage { package in
            try ScaffoldWriter(packageDirectory: package.path).write(scaffold, overwrite: false)
            let emitted = package.appending(path: "modules")
            try FileManager.default.createDirectory(at: emitted, withIntermediateDirectories: true)
            let module = try ScaffoldingTestSupport.swiftc(Self.strictFlags + [
                "-emit-module", "-module-name", scaffold.moduleName, "-I", modules.path,
                "-emit-module-path", emitted.appending(path: "\(scaffold.moduleName).swiftmodule").path,
                package.appending(path: scaffold.strategyPath).path, package.appending(path: scaffold.runtimePath).path,
            ])
            #expect(module.status == 0, "the generated module does not compile:\n\(module.output)")
            guard module.status == 0 else { return }

            // CairnConfig imports the CYAML system library internally; its module map lives in Sources/CYAML.
            let cyaml = ScaffoldingTestSupport.packageRoot.appending(path: "Sources/CYAML").path
            let tests = try ScaffoldingTestSupport.swiftc(Self.strictFlags + [
                "-typecheck", "-module-name", scaffold.testModuleName, "-I", emitted.path, "-I", modules.path,
                "-I", cyaml, package.appending(path: scaffold.strategyTestsPath).path,
            ])
            #expect(tests.status == 0, "the generated options tests do not type-check:\n\(tests.output)")
        }
    }
}
