import ArgumentParser
import Cairn
import Foundation

/// Splits a checkpoint folder path into the backend over its parent and its id.
enum CheckpointLocation {
    static func resolve(_ path: String) throws -> (backend: FileSystemBackend, checkpoint: CheckpointID) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var name = url.lastPathComponent
        if name.hasSuffix(".tmp") { name.removeLast(4) }
        guard let id = CheckpointID(name: name) else {
            throw ValidationError("\(path) is not a checkpoint folder (expected checkpoint-<step>)")
        }
        return (FileSystemBackend(root: url.deletingLastPathComponent().path), id)
    }
}

/// `cairn verify CKPT`.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a checkpoint's marker, manifest and every file's size and XXH3-128 digest.",
        discussion: "Exits 0 when the checkpoint is committed and intact, 1 otherwise.")

    @Argument(help: "A checkpoint folder, such as outputs/run1/checkpoint-40.")
    var checkpoint: String

    func run() async throws {
        let (backend, id) = try CheckpointLocation.resolve(checkpoint)
        let started = ContinuousClock.now
        let report = await CheckpointVerifier.verify(backend: backend, checkpoint: id)
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        print(report)
        print(String(format: "checked in %.2f s", seconds))
        if !report.isValid { throw ExitCode(1) }
    }
}

/// `cairn inspect CKPT`.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a checkpoint holds: step, epoch, strategy, world size, tensors and files.")

    @Argument(help: "A checkpoint folder.")
    var checkpoint: String

    @Flag(help: "List every file with its size and digest.")
    var files = false

    func run() async throws {
        try await CommandSupport.reportingErrors {
            let (backend, id) = try CheckpointLocation.resolve(checkpoint)
            let summary = try await CheckpointSummary.inspect(backend: backend, checkpoint: id)
            print("\(id.name): \(summary.isCommitted ? "committed" : "NOT committed")")
            print("  step \(summary.globalStep), epoch \(String(format: "%.3f", summary.epoch))")
            print("  strategy \(summary.strategyKind) on \(summary.worldSize) rank(s), options \(summary.strategyOptions)")
            if let peft = summary.peft { print("  peft \(peft)") }
            print("  written by Cairn \(summary.libraryVersion) at \(summary.createdAt)")
            print("  \(summary.tensors.count) tensors, \(summary.files.count) files, \(Self.size(summary.totalByteCount))")
            for tensor in summary.tensors {
                let shape = tensor.shape.map(String.init).joined(separator: "×")
                let pieces = tensor.pieceCount == 1 ? "" : " in \(tensor.pieceCount) pieces"
                print("    \(tensor.key)  \(tensor.elementType.rawValue) [\(shape)]  \(Self.size(tensor.byteCount))\(pieces)")
            }
            if files {
                for file in summary.files { print("    \(file.path)  \(Self.size(file.byteCount))  xxh3-128 \(file.digest)") }
            }
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1_000_000 ? String(format: "%.1f MB", Double(bytes) / 1e6)
            : bytes >= 1000 ? String(format: "%.1f kB", Double(bytes) / 1e3) : "\(bytes) B"
    }
}

/// `cairn list OUTPUT_DIR`.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the checkpoints in an output folder: committed or not, and (with --verify) intact or not.")

    @Argument(help: "A training run's output_dir.")
    var outputDir: String

    @Flag(help: "Verify every committed checkpoint's digests (reads every byte).")
    var verify = false

    func run() async throws {
        try await CommandSupport.reportingErrors {
            let backend = FileSystemBackend(root: outputDir)
            let listings = try await backend.list()
            if listings.isEmpty { print("no checkpoints in \(outputDir)") }
            for listing in listings {
                var status = listing.isCommitted ? "committed" : "uncommitted (interrupted save; never resumed)"
                if verify, listing.isCommitted {
                    let report = await CheckpointVerifier.verify(backend: backend, checkpoint: listing.id)
                    status += report.isValid ? ", verified" : ", DAMAGED: \(report.problems.map(\.description).joined(separator: "; "))"
                }
                let saved = Date(timeIntervalSince1970: listing.savedAt)
                print("\(listing.location)  \(status)  saved \(saved)")
            }
        }
    }
}
