public import CairnCheckpoint
public import CairnCore
import CairnNN
import CairnSafetensors
import Foundation

/// `cairn export CKPT --to hf DIR`: consolidates the model of any checkpoint — replicated or sharded, any strategy
/// and world size — into a Hugging Face folder that `transformers` loads.
///
/// It streams: each tensor's saved pieces are read (only their bytes), assembled, written and dropped before the
/// next, so peak memory is about one tensor (twice, for the read target and its result), never the model. Files
/// larger than `maximumShardBytes` are split as transformers does (`model-00001-of-00003.safetensors` and
/// `model.safetensors.index.json`). Every file is written beside its final name, synced and renamed over it.
public enum HuggingFaceExport {
    /// What an export wrote.
    public struct Summary: Sendable, Hashable {
        /// The weight files, in order.
        public var files: [String]
        /// The number of tensors.
        public var tensorCount: Int
        /// Bytes of tensor data.
        public var byteCount: Int
    }

    /// Exports the `model` namespace of `checkpoint` into `folder` (created), with `config.json` from the checkpoint.
    /// - Throws: ``CheckpointError`` for an unreadable checkpoint, `SafetensorsError`/`CocoaError` for the output.
    public static func export(
        from backend: any CheckpointBackend, checkpoint: CheckpointID, to folder: String,
        maximumShardBytes: Int = 5_000_000_000
    ) async throws -> Summary {
        let reader = try await CheckpointReader(backend: backend, checkpoint: checkpoint)
        let manifest = reader.manifest
        guard manifest.peft == nil else {
            throw CheckpointError(
                .incompatible, checkpoint: checkpoint.name,
                "this LoRA checkpoint holds only adapters: export them with --to peft, or the merged model with --to hf --merge")
        }
        let keys = manifest.tensorKeys.filter { $0.first == StateNamespace.model.rawValue }
        guard !keys.isEmpty else {
            throw CheckpointError(.malformed, checkpoint: checkpoint.name, "the checkpoint holds no model tensors")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let shards = shardGroups(keys, manifest: manifest, shapes: [:], limit: maximumShardBytes)
        var files: [String] = []
        var weightMap: [String: String] = [:]
        var bytes = 0
        for (index, group) in shards.enumerated() {
            let file = shards.count == 1 ? "model.safetensors"
                : "model-\(padded(index + 1))-of-\(padded(shards.count)).safetensors"
            var names: [String: StateKey] = [:]
            let header = try SafetensorsWriter.plan(
                group.map { key in
                    let name = Qwen3ForCausalLM.huggingFaceName(for: key)
                    names[name] = key
                    return (name: name, elementType: ElementType.float32, shape: manifest.tensors[key]!.shape)
                }, metadata: ["format": "pt"])
            let staging = folder + "/." + file + ".partial"
            try await SafetensorsWriter.stream(header, to: staging) { info in
                try await wholeTensor(names[info.name]!, shape: info.shape, reader: reader)
            }
            try rename(staging, to: folder + "/" + file)
            files.append(file)
            bytes += header.dataByteCount
            for info in header.tensors { weightMap[info.name] = file }
        }
        if shards.count > 1 {
            let index: [String: Any] = ["metadata": ["total_size": bytes], "weight_map": weightMap]
            let data = try JSONSerialization.data(withJSONObject: index, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: folder + "/model.safetensors.index.json"), options: .atomic)
        } else {
            try? FileManager.default.removeItem(atPath: folder + "/model.safetensors.index.json")
        }
        let config = try await reader.readFile("model/config.json")
        try Data(config.byteArray()).write(to: URL(fileURLWithPath: folder + "/config.json"), options: .atomic)
        return Summary(files: files, tensorCount: keys.count, byteCount: bytes)
    }

    /// One tensor, whole, assembled from whatever pieces the checkpoint holds.
    static func wholeTensor(_ key: StateKey, shape: [Int], reader: CheckpointReader) async throws -> HostBuffer {
        let layout = TensorLayout.replicated(shape)
        let target = StateDict([(key, .tensor(StateTensor(layout: layout, buffer: HostBuffer(uninitializedByteCount: layout.localByteCount))))])
        let read = try await reader.read(into: target, rank: 0, worldSize: 1, options: .allowUnexpectedKeys)
        return try read.tensor(key).buffer
    }

    /// Consecutive keys whose tensors together stay under `limit` bytes (a bigger tensor gets a file alone).
    static func shardGroups(
        _ keys: [StateKey], manifest: CheckpointManifest?, shapes: [StateKey: [Int]], limit: Int
    ) -> [[StateKey]] {
        var groups: [[StateKey]] = []
        var current: [StateKey] = []
        var size = 0
        for key in keys {
            let bytes = (manifest?.tensors[key]?.shape ?? shapes[key] ?? []).reduce(4, *)
            if !current.isEmpty, size + bytes > limit {
                groups.append(current)
                current = []
                size = 0
            }
            current.append(key)
            size += bytes
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    static func padded(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    static func rename(_ source: String, to destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination])
        }
    }
}
