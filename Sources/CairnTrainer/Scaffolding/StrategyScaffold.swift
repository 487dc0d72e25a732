/// A new distribution strategy module, generated from its name: the files `cairn new-strategy` writes and the
/// `Package.swift` lines it prints.
///
/// Pure: a name in, text out, no file system. ``ScaffoldWriter`` puts the files into a package.
///
/// For the name `LocalSGD` the scaffold holds:
///
/// ```text
/// Sources/CairnLocalSGD/LocalSGDStrategy.swift           the DistStrategy, options decoded from snake_case keys
/// Sources/CairnLocalSGD/LocalSGDRuntime.swift            a replicated runtime that all-reduces gradients
/// Sources/CairnLocalSGD/CairnLocalSGD.docc/CairnLocalSGD.md   the module's DocC article, to fill in
/// Tests/CairnLocalSGDTests/LocalSGDConformanceTests.swift    StrategyConformance at 1, 2 and 4 ranks
/// Tests/CairnLocalSGDTests/LocalSGDStrategyTests.swift       how the options decode from YAML
/// Examples/configs/local_sgd.yaml                        an example run with `dist_config: {name: local_sgd}`
/// ```
///
/// The generated runtime is the replicated strategy (`ddp` without buckets), so the module passes the conformance
/// kit before its author changes anything; comments starting `Your strategy:` mark where strategies usually differ.
public struct StrategyScaffold: Hashable, Sendable {
    /// Which `Package.swift` the printed lines are for.
    public enum ManifestStyle: Hashable, Sendable {
        /// Cairn's own repository: targets depend on sibling targets and share `strictSettings`.
        case cairnRepository
        /// A package that depends on Cairn: targets depend on Cairn's products.
        case dependentPackage
    }

    /// The strategy's name in UpperCamelCase, as given (`LocalSGD`).
    public let name: String

    // MARK: - Initializers

    /// Creates the scaffold of the strategy called `name`.
    /// - Parameter name: an UpperCamelCase Swift identifier of ASCII letters and digits (`LocalSGD`, `FSDP2`),
    ///   without the `Strategy` suffix and not the name of one of Cairn's own modules.
    /// - Throws: ``ScaffoldError`` `.invalidName`, saying what is wrong and what would work.
    public init(name: String) throws(ScaffoldError) {
        try Self.validate(name)
        self.name = name
    }

    // MARK: - Derived names

    /// The module (`CairnLocalSGD`).
    public var moduleName: String { "Cairn" + name }
    /// The test module (`CairnLocalSGDTests`).
    public var testModuleName: String { moduleName + "Tests" }
    /// The `DistStrategy` type (`LocalSGDStrategy`).
    public var strategyTypeName: String { name + "Strategy" }
    /// The `StrategyRuntime` type (`LocalSGDRuntime`).
    public var runtimeTypeName: String { name + "Runtime" }
    /// The kind that selects the strategy in YAML: the name in snake_case (`local_sgd`).
    public var kind: String { Self.snakeCase(name) }

    // MARK: - Files

    /// The strategy source file's path.
    public var strategyPath: String { "Sources/\(moduleName)/\(strategyTypeName).swift" }
    /// The runtime source file's path.
    public var runtimePath: String { "Sources/\(moduleName)/\(runtimeTypeName).swift" }
    /// The DocC article's path (the module's landing page).
    public var articlePath: String { "Sources/\(moduleName)/\(moduleName).docc/\(moduleName).md" }
    /// The conformance test file's path.
    public var conformanceTestsPath: String { "Tests/\(testModuleName)/\(name)ConformanceTests.swift" }
    /// The options test file's path.
    public var strategyTestsPath: String { "Tests/\(testModuleName)/\(strategyTypeName)Tests.swift" }
    /// The example config's path.
    public var exampleConfigPath: String { "Examples/configs/\(kind).yaml" }

    /// Every file of the scaffold, sources first.
    public var files: [ScaffoldFile] {
        [
            ScaffoldFile(path: strategyPath, contents: strategySource),
            ScaffoldFile(path: runtimePath, contents: runtimeSource),
            ScaffoldFile(path: articlePath, contents: article),
            ScaffoldFile(path: conformanceTestsPath, contents: conformanceTestsSource),
            ScaffoldFile(path: strategyTestsPath, contents: strategyTestsSource),
            ScaffoldFile(path: exampleConfigPath, contents: exampleConfig),
        ]
    }

    // MARK: - Package.swift

    /// The target and test target to add to `Package.swift`, indented for its `targets:` list.
    ///
    /// `cairn new-strategy` prints these rather than editing the manifest: a manifest is code its owners arrange
    /// by hand (sections, shared settings, comments), and a generator that rewrites it either breaks those edits
    /// or needs a Swift parser to respect them. Two pasted lines are easy to review; a rewritten manifest is not.
    public func manifestLines(style: ManifestStyle) -> String {
        switch style {
        case .cairnRepository:
            return """
                        // In "MARK: - Strategies":
                        .target(name: "\(moduleName)", dependencies: ["CairnCore"], swiftSettings: strictSettings),

                        // In "MARK: - Tests":
                        .testTarget(
                            name: "\(testModuleName)",
                            dependencies: ["CairnCore", "\(moduleName)", "CairnConfig", "CairnConformance"],
                            swiftSettings: strictSettings
                        ),
                """
        case .dependentPackage:
            return """
                        // `package:` is the identity of your dependency on Cairn (its URL's last path component).
                        .target(
                            name: "\(moduleName)",
                            dependencies: [.product(name: "CairnCore", package: "cairn")]
                        ),
                        .testTarget(
                            name: "\(testModuleName)",
                            dependencies: [
                                "\(moduleName)",
                                .product(name: "CairnCore", package: "cairn"),
                                .product(name: "CairnConformance", package: "cairn"),
                                .product(name: "Cairn", package: "cairn"),  // CairnConfig, for the options tests
                            ]
                        ),
                """
        }
    }

    /// What to do after adding the manifest lines: register the strategy, run its tests, validate the example.
    public func nextSteps(style: ManifestStyle) -> String {
        let registration: String
        switch style {
        case .cairnRepository:
            registration = """
                  2. Offer it in `cairn`: add "\(moduleName)" to the `Cairn` target's dependencies in Package.swift,
                     `@_exported import \(moduleName)` to Sources/Cairn/Cairn.swift, and
                     `try registry.register(\(strategyTypeName).self)` to Sources/Cairn/StrategyRegistry+BuiltIn.swift.
                """
        case .dependentPackage:
            registration = """
                  2. Register it where your program builds its strategies:
                     `var strategies = StrategyRegistry.builtIn; try strategies.register(\(strategyTypeName).self)`.
                """
        }
        return """
            Next steps:
              1. Add the lines above to Package.swift.
            \(registration)
              3. Prove it: swift test --filter \(testModuleName)
              4. Try it: cairn validate \(exampleConfigPath)   (after step 2)
              5. Make it yours where the comments say "Your strategy:", keeping the conformance tests green.
            """
    }
}
