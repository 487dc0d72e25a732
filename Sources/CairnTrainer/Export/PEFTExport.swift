public import CairnCheckpoint
import CairnJSON
public import CairnCore
import CairnLoRA
import CairnNN
import CairnSafetensors
import CairnTensor
import Foundation

/// Exports of a LoRA checkpoint: the adapter as a PEFT folder (`cairn export --to peft`), or the base model with the
/// adapters merged in as a Hugging Face folder (`cairn export --to hf --merge`).
public enum PEFTExport {
    /// Writes `adapter_model.safetensors` (PEFT names) and `adapter_config.json` into `folder`: what
    /// `peft.PeftModel.from_pretrained(base, folder)` loads.
    /// - Throws: ``CheckpointError`` `.incompatible` when the checkpoint holds no adapter.
    @discardableResult
    public static func exportAdapter(
        from backend: any CheckpointBackend, checkpoint: CheckpointID, to folder: String
    ) async throws -> HuggingFaceExport.Summary {
        let reader = try await CheckpointReader(backend: backend, checkpoint: checkpoint)
        guard reader.manifest.peft != nil else {
            throw CheckpointError(.incompatible, checkpoint: checkpoint.name,
                                  "the checkpoint has no LoRA adapter; use --to hf for a full model")
        }
        let keys = reader.manifest.tensorKeys.filter { $0.first == StateNamespace.model.rawValue }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var names: [String: StateKey] = [:]
        let header = try SafetensorsWriter.plan(
            keys.map { key in
                let name = Qwen3ForCausalLM.peftName(for: key)
                names[name] = key
                return (name: name, elementType: ElementType.float32, shape: reader.manifest.tensors[key]!.shape)
            }, metadata: ["format": "pt"])
        let staging = folder + "/.adapter_model.safetensors.partial"
        try await SafetensorsWriter.stream(header, to: staging) { info in
            try await HuggingFaceExport.wholeTensor(names[info.name]!, shape: info.shape, reader: reader)
        }
        try HuggingFaceExport.rename(staging, to: folder + "/adapter_model.safetensors")
        let config = try await reader.readFile("adapter/" + PEFTAdapterConfig.fileName)
        try Data(config.byteArray()).write(to: URL(fileURLWithPath: folder + "/" + PEFTAdapterConfig.fileName), options: .atomic)
        return HuggingFaceExport.Summary(files: ["adapter_model.safetensors"], tensorCount: keys.count,
                                         byteCount: header.dataByteCount)
    }

    /// Writes the base model with every adapter merged in (`W + (α/r)·B·A`) as a Hugging Face folder, one tensor at
    /// a time. The base comes from the run's `model` folder (recorded in the checkpoint's `trainer_state.json`), or,
    /// when it had no weights, from the run's seed as training initialised it.
    /// - Throws: ``CheckpointError`` `.incompatible` (no adapter), `.malformed` (no base model recorded), or I/O errors.
    @discardableResult
    public static func exportMerged(
        from backend: any CheckpointBackend, checkpoint: CheckpointID, to folder: String,
        maximumShardBytes: Int = 5_000_000_000
    ) async throws -> HuggingFaceExport.Summary {
        let reader = try await CheckpointReader(backend: backend, checkpoint: checkpoint)
        let state = try TrainerStateFile.decode(Data(try await reader.readFile(TrainerStateFile.fileName).byteArray()))
        let adapterConfig = try await reader.readFile("adapter/" + PEFTAdapterConfig.fileName)
        guard reader.manifest.peft != nil,
            let lora = try? JSONSerialization.jsonObject(with: Data(adapterConfig.byteArray())) as? [String: Any],
            let rank = lora["r"] as? Int, let alpha = (lora["lora_alpha"] as? NSNumber)?.doubleValue
        else {
            throw CheckpointError(.incompatible, checkpoint: checkpoint.name, "the checkpoint has no readable LoRA adapter")
        }
        // The normalized configuration stores strings as JSON text (`"path"`).
        guard let baseText = state.configuration["model"], case .string(let base)? = try? JSONParser.parse(baseText),
            let seedText = state.configuration["seed"], let seed = UInt64(seedText)
        else {
            throw CheckpointError(.malformed, checkpoint: checkpoint.name, file: TrainerStateFile.fileName,
                                  "the trainer state does not name the base model and seed")
        }
        let configuration = try Qwen3Configuration.load(contentsOf: base)
        let weights = Qwen3ForCausalLM.hasWeights(inFolder: base) ? try SafetensorsFolder(contentsOf: base) : nil
        let model = Qwen3ForCausalLM(configuration: configuration)  // names and shapes only; no weights are read into it
        let scaling = Float(alpha / Double(rank))
        let baseParameters = model.allParameters
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let groups = HuggingFaceExport.shardGroups(baseParameters.map(\.key), manifest: nil, shapes: Dictionary(
            uniqueKeysWithValues: baseParameters.map { ($0.key, $0.shape) }), limit: maximumShardBytes)
        var files: [String] = []
        var weightMap: [String: String] = [:]
        var bytes = 0
        for (index, group) in groups.enumerated() {
            let file = groups.count == 1 ? "model.safetensors"
                : "model-\(HuggingFaceExport.padded(index + 1))-of-\(HuggingFaceExport.padded(groups.count)).safetensors"
            var keys: [String: (key: StateKey, shape: [Int])] = [:]
            let header = try SafetensorsWriter.plan(
                group.map { key in
                    let shape = baseParameters.first { $0.key == key }!.shape
                    let name = Qwen3ForCausalLM.huggingFaceName(for: key)
                    keys[name] = (key, shape)
                    return (name: name, elementType: ElementType.float32, shape: shape)
                }, metadata: ["format": "pt"])
            let staging = folder + "/." + file + ".partial"
            try await SafetensorsWriter.stream(header, to: staging) { info in
                let (key, shape) = keys[info.name]!
                let merged = try baseTensor(key, shape: shape, weights: weights, seed: seed,
                                            initializerRange: Float(configuration.initializerRange))
                let aKey = StateKey(String(key.rawValue.dropLast(".weight".count)) + ".lora_A.weight")
                let bKey = StateKey(String(key.rawValue.dropLast(".weight".count)) + ".lora_B.weight")
                if let a = reader.manifest.tensors[aKey], let b = reader.manifest.tensors[bKey] {
                    let aValues = Tensor(shape: a.shape, buffer: try await HuggingFaceExport.wholeTensor(aKey, shape: a.shape, reader: reader))
                    let bValues = Tensor(shape: b.shape, buffer: try await HuggingFaceExport.wholeTensor(bKey, shape: b.shape, reader: reader))
                    let delta = matmul(bValues, aValues)  // [out, r] · [r, in]
                    let target = merged.elements(of: Float.self)
                    delta.withUnsafeBufferPointer { delta in
                        for i in target.indices { target[i] += scaling * delta[i] }
                    }
                }
                return merged
            }
            try HuggingFaceExport.rename(staging, to: folder + "/" + file)
            files.append(file)
            bytes += header.dataByteCount
            for info in header.tensors { weightMap[info.name] = file }
        }
        if groups.count > 1 {
            let index: [String: Any] = ["metadata": ["total_size": bytes], "weight_map": weightMap]
            try JSONSerialization.data(withJSONObject: index, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: folder + "/model.safetensors.index.json"), options: .atomic)
        }
        try HuggingFaceFolderWriter.configJSON(for: configuration, sourceFolder: base)
            .write(to: URL(fileURLWithPath: folder + "/config.json"), options: .atomic)
        return HuggingFaceExport.Summary(files: files, tensorCount: baseParameters.count, byteCount: bytes)
    }

    /// One base tensor: read from the base folder, or drawn from its own seeded stream as training initialised it.
    private static func baseTensor(
        _ key: StateKey, shape: [Int], weights: SafetensorsFolder?, seed: UInt64, initializerRange: Float
    ) throws -> HostBuffer {
        let buffer = HostBuffer(uninitializedByteCount: shape.reduce(4, *))
        let values = buffer.elements(of: Float.self)
        if let weights {
            try weights.readFloats(Qwen3ForCausalLM.huggingFaceName(for: key), into: values)
        } else if key.rawValue.hasSuffix("norm.weight") {
            values.update(repeating: 1)
        } else {
            var generator = PhiloxRandom(seed: seed, label: key.rawValue)
            let sample = Tensor.normal(shape, mean: 0, std: initializerRange, generator: &generator)
            sample.withUnsafeBufferPointer { _ = values.update(fromContentsOf: $0) }
        }
        return buffer
    }
}
