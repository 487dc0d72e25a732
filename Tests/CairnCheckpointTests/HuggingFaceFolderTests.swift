import CairnCheckpoint
import CairnCore
import CairnEmbedded
import CairnSafetensors
import Foundation
import Testing

/// Canonical keys of a tiny model as Cairn's trainer names them (`model.` + the Hugging Face name).
private let modelTensors: [TensorSpec] = [
    TensorSpec(key: "model.model.embed_tokens.weight", shape: [6, 4], split: .replicated, seed: 1),
    TensorSpec(key: "model.model.layers.0.self_attn.q_proj.weight", shape: [4, 4], split: .replicated, seed: 2),
    TensorSpec(key: "model.model.norm.weight", shape: [4], split: .replicated, seed: 3),
    TensorSpec(key: "model.lm_head.weight", shape: [6, 4], split: .replicated, seed: 4),
    TensorSpec(key: "optimizer.state.model.model.norm.weight.exp_avg", shape: [4], split: .replicated, seed: 5),
]

@Suite struct HuggingFaceFolderTests {
    @Test(arguments: [1, 3])
    func theModelFolderOfAReplicatedCheckpointIsAHuggingFaceFolder(worldSize: Int) async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let config = Array(#"{"model_type": "qwen3", "hidden_size": 4}"#.utf8)
        try await save(
            { makeState(rank: $0, worldSize: $1, tensors: modelTensors) }, worldSize: worldSize, step: 2, backend: backend,
            naming: .droppingModelNamespace,
            extraFiles: [CheckpointFile(path: "model/config.json", parts: [HostBuffer(copying: config)])])
        let modelFolder = folder.path + "/checkpoint-2/model"
        #expect(try FileManager.default.contentsOfDirectory(atPath: modelFolder).sorted() == ["config.json", "model.safetensors"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: modelFolder + "/config.json")) == Data(config))
        let file = try SafetensorsFile(contentsOf: modelFolder + "/model.safetensors")
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == ["lm_head.weight", "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight"])
        for spec in modelTensors where spec.key.first == "model" {
            let name = String(spec.key.rawValue.dropFirst("model.".count))
            #expect(try file.info(name).shape == spec.shape)
            #expect(try file.floats(name) == spec.fullValues)
        }
        // Optimizer tensors keep their canonical keys.
        let optimizer = try SafetensorsFile(contentsOf: folder.path + "/checkpoint-2/optimizer/optimizer.safetensors")
        #expect(optimizer.tensorNames == ["optimizer.state.model.model.norm.weight.exp_avg"])
    }

    @Test func namingCollisionsAreReportedAsErrors() async throws {
        let backend = InMemoryBackend()
        let error = await checkpointError {
            _ = try await CheckpointWriter.writeRankFiles(
                makeState(rank: 0, worldSize: 1, tensors: modelTensors, scalars: false), rank: 0, worldSize: 1,
                checkpoint: CheckpointID(step: 1), backend: backend, naming: CheckpointNaming { _ in "same" })
        }
        #expect(error?.code == .malformed && error?.key != nil)
    }
}

