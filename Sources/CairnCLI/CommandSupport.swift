import ArgumentParser
import Cairn
import CairnCore
import CairnTensor
import Foundation
import Logging

/// What every subcommand shares: logging set-up and turning errors into messages and exit codes.
enum CommandSupport {
    /// Routes swift-log through the console (so log lines and the progress bar coexist) at `level`.
    static func makeLogger(level: String) throws -> Logger {
        guard let parsed = Logger.Level(rawValue: level) else {
            throw ValidationError("unknown log level '\(level)'; use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: parsed) }
        var logger = Logger(label: "cairn")
        logger.logLevel = parsed
        return logger
    }

    /// Opens OpenBLAS before any rank thread starts (choosing its CPU kernels sets environment variables), so a
    /// missing library is a clear error rather than a crash deep inside training.
    static func loadBLAS() throws {
        _ = try BLAS.load()
    }

    /// Runs `body`, printing a Cairn error as `error: <context>: <message>` (with its causes) and exiting with
    /// status 2 for configuration problems and 1 for everything else.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as any CairnError {
            Console.standardError.printLine("error: \(error)")
            throw ExitCode(error is ConfigurationError || error is RegistryError ? 2 : 1)
        } catch {
            Console.standardError.printLine("error: \(error)")
            throw ExitCode(1)
        }
    }
}
