import CairnTrainer
import Testing

@Suite struct StrategyScaffoldTests {
    // MARK: - Names

    @Test(arguments: [
        ("LocalSGD", "local_sgd"), ("SGDMomentum", "sgd_momentum"), ("FSDP2", "fsdp2"), ("Top2Gate", "top2_gate"),
        ("Demo", "demo"), ("A", "a"), ("ABTest", "ab_test"), ("ZeRO", "ze_ro"), ("DiLoCo", "di_lo_co"),
        ("Pipeline1F1B", "pipeline1_f1_b"),
    ])
    func snakeCaseSplitsWordsAndAcronyms(name: String, expected: String) {
        #expect(StrategyScaffold.snakeCase(name) == expected)
    }

    @Test func derivedNamesFollowTheModuleConvention() throws {
        let scaffold = try StrategyScaffold(name: "LocalSGD")
        #expect(scaffold.moduleName == "CairnLocalSGD")
        #expect(scaffold.testModuleName == "CairnLocalSGDTests")
        #expect(scaffold.strategyTypeName == "LocalSGDStrategy")
        #expect(scaffold.runtimeTypeName == "LocalSGDRuntime")
        #expect(scaffold.kind == "local_sgd")
    }

    @Test(arguments: [
        ("", "empty"), ("localSGD", "try LocalSGD"), ("local_sgd", "try LocalSgd"), ("2Fast", "starts with a letter"),
        ("Local SGD", "try LocalSGD"), ("Ünïcode", "ASCII"), ("LocalSGDStrategy", "give LocalSGD"),
        ("Strategy", "'Strategy' suffix"), ("CairnLocalSGD", "give LocalSGD"), ("Cairn", "own name"),
        ("DDP", "CairnDDP"), ("FSDP", "CairnFSDP"), ("Core", "CairnCore"), ("Dist", "DistStrategy"),
        (String(repeating: "A", count: 65), "64"),
    ])
    func invalidNamesAreRefusedWithAHint(name: String, hint: String) {
        let error = #expect(throws: ScaffoldError.self) { try StrategyScaffold(name: name) }
        #expect(error?.code == .invalidName)
        #expect(error?.message.contains(hint) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: ["Demo", "LocalSGD", "FSDP2", "Cairnival", "Cairn2", "X9"])
    func validNamesAreAccepted(name: String) throws {
        #expect(try StrategyScaffold(name: name).name == name)
    }

    // MARK: - Files

    @Test func filesAreTheModuleTestsArticleAndExample() throws {
        let scaffold = try StrategyScaffold(name: "LocalSGD")
        #expect(scaffold.files.map(\.path) == [
            "Sources/CairnLocalSGD/LocalSGDStrategy.swift",
            "Sources/CairnLocalSGD/LocalSGDRuntime.swift",
            "Sources/CairnLocalSGD/CairnLocalSGD.docc/CairnLocalSGD.md",
            "Tests/CairnLocalSGDTests/LocalSGDConformanceTests.swift",
            "Tests/CairnLocalSGDTests/LocalSGDStrategyTests.swift",
            "Examples/configs/local_sgd.yaml",
        ])
        for file in scaffold.files {
            #expect(file.contents.hasSuffix("\n"), "\(file.path)")
            #expect(!file.contents.contains("\\#("), "\(file.path) has an unexpanded substitution")
            let longest = file.contents.split(separator: "\n").map(\.count).max() ?? 0
            #expect(longest <= 120, "\(file.path) has a line of \(longest) characters")
        }
    }

    @Test func strategySourceDeclaresTheStrategyAndItsSnakeCaseOptions() throws {
        let source = try contents(of: \.strategyPath, name: "LocalSGD")
        #expect(source.hasPrefix("public import CairnCore\n"))
        #expect(source.contains("public struct LocalSGDStrategy: DistStrategy {"))
        #expect(source.contains(#"public static let kind: StrategyKind = "local_sgd""#))
        #expect(source.contains("enum CodingKeys: String, CodingKey, CaseIterable {"))
        #expect(source.contains(#"case sourceRank = "source_rank""#))
        #expect(source.contains("async throws -> LocalSGDRuntime {"))
        #expect(source.contains("// Your strategy:"))
    }

    @Test func runtimeSourceAllReducesGradientsAndMarksWhereToChange() throws {
        let source = try contents(of: \.runtimePath, name: "LocalSGD")
        #expect(source.contains("public final class LocalSGDRuntime: StrategyRuntime {"))
        #expect(source.contains("try await communicator.allReduce(parameter.gradient, .sum)"))
        #expect(source.contains("parameter.gradient.update(repeating: 0)"))
        // One marker in each place a strategy usually differs: hooks, sync, shards, finish, pieces, state.
        #expect(source.split(separator: "\n").filter { $0.contains("// Your strategy:") }.count == 6)
    }

    @Test func testsRunTheKitAtOneTwoAndFourRanks() throws {
        let conformance = try contents(of: \.conformanceTestsPath, name: "LocalSGD")
        #expect(conformance.contains("import CairnLocalSGD\n"))
        #expect(conformance.contains("import CairnConformance\n"))
        #expect(conformance.contains("@Suite struct LocalSGDConformanceTests {"))
        #expect(conformance.contains("@Test func satisfiesTheStrategyLaws() async {"))
        #expect(conformance.contains("""
                    await StrategyConformance.verify(
                        LocalSGDStrategy.self, configuration: .init(), worldSizes: [1, 2, 4])
            """))
        let options = try contents(of: \.strategyTestsPath, name: "LocalSGD")
        #expect(options.contains(#"#expect(LocalSGDStrategy.kind == "local_sgd")"#))
        #expect(options.contains("LocalSGDStrategy.Configuration.self"))
    }

    @Test func articleAndExampleNameTheKind() throws {
        let article = try contents(of: \.articlePath, name: "LocalSGD")
        #expect(article.hasPrefix("# ``CairnLocalSGD``\n"))
        #expect(article.contains("- ``LocalSGDStrategy``"))
        #expect(article.contains("- ``LocalSGDRuntime``"))
        let example = try contents(of: \.exampleConfigPath, name: "LocalSGD")
        #expect(example.contains("dist_config:\n  name: local_sgd\n  world_size: 2\n"))
        #expect(example.contains("output_dir: outputs/local_sgd\n"))
    }

    // MARK: - Package.swift

    @Test func manifestLinesDeclareTheTargetAndTestTarget() throws {
        let scaffold = try StrategyScaffold(name: "LocalSGD")
        let repository = scaffold.manifestLines(style: .cairnRepository)
        #expect(repository.contains(
            #".target(name: "CairnLocalSGD", dependencies: ["CairnCore"], swiftSettings: strictSettings),"#))
        #expect(repository.contains(#"name: "CairnLocalSGDTests","#))
        #expect(repository.contains(
            #"dependencies: ["CairnCore", "CairnLocalSGD", "CairnConfig", "CairnConformance"],"#))
        let dependent = scaffold.manifestLines(style: .dependentPackage)
        #expect(dependent.contains(#".product(name: "CairnConformance", package: "cairn"),"#))
        #expect(!dependent.contains("strictSettings"))
        #expect(scaffold.nextSteps(style: .cairnRepository).contains("try registry.register(LocalSGDStrategy.self)"))
        #expect(scaffold.nextSteps(style: .dependentPackage).contains("try strategies.register(LocalSGDStrategy.self)"))
    }

    // MARK: - Helpers

    private func contents(of path: KeyPath<StrategyScaffold, String>, name: String) throws -> String {
        let scaffold = try StrategyScaffold(name: name)
        return try #require(scaffold.files.first { $0.path == scaffold[keyPath: path] }).contents
    }
}
