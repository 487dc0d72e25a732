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
        case peft
    }

    @Argument(help: "A committed checkpoint folder, such as outputs/run1/checkpoint-40.")
    var checkpoint: String

    @Option(help: "hf: a Hugging Face model folder; peft: a LoRA checkpoint's adapter as a PEFT folder.")
    var to: Format = .hf

    @Flag(help: "With --to hf on a LoRA checkpoint: write the base model with the adapters merged in.")
    var merge = false

    @Argument(help: "The folder to write.")
    var output: String

    @Option(help: "Split weight files larger than this many bytes (as transformers' max_shard_size).")
    var maxShardBytes = 5_000_000_000

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            let (backend, id) = try CheckpointLocation.resolve(checkpoint)
            let started = ContinuousClock.now
            let summary: HuggingFaceExport.Summary
            switch (to, merge) {
            case (.peft, _):
                summary = try await PEFTExport.exportAdapter(from: backend, checkpoint: id, to: output)
            case (.hf, true):
                summary = try await PEFTExport.exportMerged(from: backend, checkpoint: id, to: output,
                                                            maximumShardBytes: maxShardBytes)
            case (.hf, false):
                summary = try await HuggingFaceExport.export(from: backend, checkpoint: id, to: output,
                                                             maximumShardBytes: maxShardBytes)
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print("exported \(summary.tensorCount) tensors (\(summary.byteCount / 1_000_000) MB) to \(output) in "
                  + String(format: "%.2f s: ", seconds) + summary.files.joined(separator: ", "))
        }
    }
}
