import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory cairn-new-strategy NAME [--force]`: scaffolds a strategy
/// module into this package with `cairn new-strategy`.
///
/// A thin launcher (STYLE.md §12): naming rules, templates and the refusal to overwrite live in the tested
/// `cairn new-strategy` subcommand, which also prints the `Package.swift` lines to add.
@main
struct CairnNewStrategy: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        guard arguments.contains(where: { !$0.hasPrefix("-") }) else { throw NewStrategyFailure.noName }
        let process = Process()
        process.executableURL = try context.tool(named: "cairn").url
        process.arguments = ["new-strategy"] + arguments + ["--package-path", context.package.directoryURL.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw NewStrategyFailure.toolFailed(status: process.terminationStatus)
        }
    }
}

/// Why `cairn-new-strategy` failed; SwiftPM prints the description and exits non-zero.
enum NewStrategyFailure: Error, CustomStringConvertible {
    case noName
    case toolFailed(status: Int32)

    var description: String {
        switch self {
        case .noName:
            "give the strategy's name: swift package --allow-writing-to-package-directory cairn-new-strategy LocalSGD"
        case .toolFailed(let status):
            "cairn new-strategy exited \(status) (see its message above)"
        }
    }
}
