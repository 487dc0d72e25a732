import Foundation
import PackagePlugin

/// `swift package cairn-validate FILE…`: runs `cairn validate` on each YAML config and fails if any is invalid.
///
/// A thin launcher (STYLE.md §12): the checks live in the tested `cairn validate` subcommand, whose messages name
/// file:line:column. Files resolve against the directory `swift package` was run from.
@main
struct CairnValidate: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        guard !arguments.isEmpty else { throw ValidateFailure.noFiles }
        let cairn = try context.tool(named: "cairn").url
        var invalid: [String] = []
        for file in arguments {
            let process = Process()
            process.executableURL = cairn
            process.arguments = ["validate", file]
            try process.run()
            process.waitUntilExit()
            let isValid = process.terminationReason == .exit && process.terminationStatus == 0
            let status = process.terminationStatus
            print(isValid ? "valid:   \(file)" : "INVALID: \(file) (cairn validate exited \(status))")
            if !isValid { invalid.append(file) }
        }
        guard invalid.isEmpty else { throw ValidateFailure.invalid(invalid, of: arguments.count) }
    }
}

/// Why `cairn-validate` failed; SwiftPM prints the description and exits non-zero.
enum ValidateFailure: Error, CustomStringConvertible {
    case noFiles
    case invalid([String], of: Int)

    var description: String {
        switch self {
        case .noFiles:
            "give the YAML configs to check: swift package cairn-validate Examples/configs/*.yaml"
        case .invalid(let files, let total):
            "\(files.count) of \(total) config(s) invalid (see the errors above): \(files.joined(separator: ", "))"
        }
    }
}
