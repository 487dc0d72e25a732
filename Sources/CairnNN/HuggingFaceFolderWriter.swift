public import CairnCore
import CairnSafetensors
public import Foundation

/// Writes a Hugging Face model folder — `config.json` and `model.safetensors` (float32, Hugging Face names,
/// `{"format": "pt"}` metadata) — that `transformers` loads with `from_pretrained`.
public enum HuggingFaceFolderWriter {
    /// Writes `tensors` (canonical keys, replicated) and `configJSON` into `folder`, creating it.
    ///
    /// The tied head (`model.lm_head.weight` absent) is simply not written, as transformers does. Each file is
    /// written beside its final name, synced, then renamed over it, so a crash never leaves a torn model file.
    /// - Throws: `CocoaError` or `SafetensorsError` for I/O failures.
    public static func write(
        tensors: [(key: StateKey, value: StateTensor)], configJSON: Data, to folder: String
    ) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for (key, tensor) in tensors {
            try writer.add(Qwen3ForCausalLM.huggingFaceName(for: key), tensor: tensor)
        }
        let staging = folder + "/.model.safetensors.partial"
        try writer.write(to: staging)
        if rename(staging, folder + "/model.safetensors") != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder + "/model.safetensors",
                                                          NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        try configJSON.write(to: URL(fileURLWithPath: folder + "/config.json"), options: .atomic)
    }

    /// `config.json` bytes for `configuration`: the source file's bytes when the model came from one (so fields
    /// Cairn does not read survive), else a generated file.
    public static func configJSON(for configuration: Qwen3Configuration, sourceFolder: String?) throws -> Data {
        if let sourceFolder, let data = FileManager.default.contents(atPath: sourceFolder + "/config.json") {
            return data
        }
        return try JSONSerialization.data(withJSONObject: configuration.huggingFaceJSON(),
                                          options: [.prettyPrinted, .sortedKeys])
    }
}

extension Qwen3ForCausalLM {
    /// Writes the model as a Hugging Face folder (see ``HuggingFaceFolderWriter``).
    public func save(toFolder folder: String, sourceFolder: String?) throws {
        try HuggingFaceFolderWriter.write(
            tensors: allParameters.map { (key: $0.key, value: $0.stateTensor) },
            configJSON: HuggingFaceFolderWriter.configJSON(for: configuration, sourceFolder: sourceFolder), to: folder)
    }
}
