import ArgumentParser
import Cairn
import Foundation

/// `cairn logits MODEL_DIR --tokens "1 2 3" --output logits.safetensors`: the model's logits for a token sequence,
/// for comparing Cairn with other implementations (see `scripts/check_hf_export.py`).
struct Logits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute a model's logits for a token sequence and write them as safetensors (F32 [T, vocab]).")

    @Argument(help: "A Hugging Face Qwen3 model folder (for example one written by `cairn export`).")
    var modelDirectory: String

    @Option(help: "Token ids separated by spaces or commas.")
    var tokens: String

    @Option(help: "Where to write the logits (`logits` F32 [T, vocab]).")
    var output: String

    @Option(help: "For a LoRA adapter folder: the base model it applies to (default: the one the adapter names).")
    var baseModel: String?

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            try CommandSupport.loadBLAS()
            let ids = tokens.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Int32($0) }
            guard !ids.isEmpty else { throw ValidationError("--tokens holds no token id") }
            let model = try Generate.loadModel(
                modelDirectory, settings: try GenerationSettings.read(fromFolder: modelDirectory), baseModel: baseModel)
            guard ids.allSatisfy({ (0..<Int32(model.configuration.vocabularySize)).contains($0) }) else {
                throw ValidationError("a token id is outside the vocabulary (0..<\(model.configuration.vocabularySize))")
            }
            let logits = try await model.logits(tokens: ids, batchSize: 1, sequenceLength: ids.count)
            var writer = SafetensorsWriter()
            try writer.add("logits", shape: [ids.count, model.configuration.vocabularySize], floats: logits.scalars)
            try writer.write(to: output)
            print("wrote logits [\(ids.count), \(model.configuration.vocabularySize)] to \(output)")
        }
    }
}
