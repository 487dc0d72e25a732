import ArgumentParser
import Cairn
import Foundation

/// `cairn export CKPT --to hf DIR`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a checkpoint's model as a Hugging Face folder (any strategy, any world size).",
        discussion: "Tensors are consolidated one at a time, so memory stays near one tensor, not the model.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case hf
    }

    @Argument(help: "A committed checkpoint folder, such as outputs/run1/checkpoint-40.")
    var checkpoint: String

    @Option(help: "The output format: hf (config.json + safetensors).")
    var to: Format = .hf

    @Argument(help: "The folder to write.")
    var output: String

    @Option(help: "Split weight files larger than this many bytes (as transformers' max_shard_size).")
    var maxShardBytes = 5_000_000_000

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            let (backend, id) = try CheckpointLocation.resolve(checkpoint)
            let started = ContinuousClock.now
            let summary = try await HuggingFaceExport.export(from: backend, checkpoint: id, to: output,
                                                             maximumShardBytes: maxShardBytes)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print("exported \(summary.tensorCount) tensors (\(summary.byteCount / 1_000_000) MB) to \(output) in "
                  + String(format: "%.2f s: ", seconds) + summary.files.joined(separator: ", "))
        }
    }
}
