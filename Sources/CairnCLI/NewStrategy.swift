import ArgumentParser
import Cairn

/// `cairn new-strategy NAME [--package-path DIR] [--force]`: scaffolds a distribution strategy module.
///
/// Writes the strategy, its runtime (a correct replicated strategy that all-reduces gradients, so the new module
/// passes `StrategyConformance` before its author changes anything), its conformance and options tests, a DocC
/// article and an example config; then prints the `Package.swift` lines to add.
///
/// It does not edit `Package.swift` itself. A manifest is Swift code its owners arrange by hand (sections, shared
/// settings, comments, conditionals); a generator that rewrites it breaks those hand edits, or needs a Swift parser
/// to avoid breaking them. Printing two entries to paste keeps the manifest the owners' own, and the change easy
/// to review. (`StrategyScaffold` holds the templates; `ScaffoldWriter` the refusal rules.)
struct NewStrategy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-strategy",
        abstract: "Scaffold a distribution strategy module: sources, tests, DocC article, example config.",
        discussion: """
            NAME is an UpperCamelCase Swift identifier without the Strategy suffix: LocalSGD makes the module \
            CairnLocalSGD with LocalSGDStrategy and LocalSGDRuntime, selected in YAML as dist_config.name: \
            local_sgd. Existing files are never replaced without --force. Package.swift is not edited: the lines \
            to add are printed.
            """)

    @Argument(help: "The strategy's name in UpperCamelCase, such as LocalSGD.")
    var name: String

    @Option(help: "The package to write into (the folder holding Package.swift).")
    var packagePath = "."

    @Flag(help: "Replace files a previous scaffold of this name wrote.")
    var force = false

    func validate() throws {
        do {
            _ = try StrategyScaffold(name: name)
        } catch {
            throw ValidationError("'\(name)': \(error.message)")
        }
    }

    func run() async throws {
        try await CommandSupport.reportingErrors {
            let scaffold = try StrategyScaffold(name: name)
            let writer = ScaffoldWriter(packageDirectory: packagePath)
            let written = try writer.write(scaffold, overwrite: force)
            print("Scaffolded strategy '\(scaffold.kind)' (\(scaffold.strategyTypeName)) in \(packagePath):")
            for file in written {
                print("  \(file.replacedExisting ? "replaced" : "created ") \(file.path)")
            }
            let style = writer.manifestStyle
            print("\nAdd to the targets of Package.swift (not edited for you, so your own layout stays):\n")
            print(scaffold.manifestLines(style: style))
            print("\n" + scaffold.nextSteps(style: style))
        }
    }
}
