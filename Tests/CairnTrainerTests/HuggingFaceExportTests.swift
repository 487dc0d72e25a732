import CairnCheckpoint
import CairnCore
import CairnEmbedded
import CairnNN
import CairnSafetensors
import CairnTrainer
import Foundation
import Testing

@Suite struct HuggingFaceExportTests {
    static let configuration = Qwen3Configuration(
        vocabularySize: 40, hiddenSize: 16, intermediateSize: 24, layerCount: 2, attentionHeadCount: 2,
        keyValueHeadCount: 1, maxPositionEmbeddings: 32, tiesWordEmbeddings: false)

    /// Writes `model`'s parameters as a checkpoint sharded on dim 0 across `worldSize` ranks (uneven, some empty),
    /// as FSDP2 would, and returns the backend holding it.
    static func shardedCheckpoint(_ model: Qwen3ForCausalLM, worldSize: Int, folder: String) async throws -> FileSystemBackend {
        let backend = FileSystemBackend(root: folder)
        let id = CheckpointID(step: 7)
        let config = try HuggingFaceFolderWriter.configJSON(for: configuration, sourceFolder: nil)
        // Copies of the full tensors, which every rank slices its rows from.
        let parameters = model.allParameters.map { (key: $0.key, shape: $0.shape, values: HostBuffer(copying: Array($0.values))) }
        _ = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let rank = communicator.rank
            var state = StateDict()
            for parameter in parameters {
                let rows = parameter.shape[0]
                let perRank = (rows + worldSize - 1) / worldSize
                let range = min(rows, rank * perRank)..<min(rows, (rank + 1) * perRank)
                let layout = TensorLayout(globalShape: parameter.shape, placement: .rows(range))
                let bytes = UnsafeRawBufferPointer(rebasing: parameter.values.bytes[
                    (range.lowerBound * layout.rowElementCount * 4)..<(range.upperBound * layout.rowElementCount * 4)])
                state[parameter.key] = .tensor(StateTensor(layout: layout, buffer: HostBuffer(copying: bytes)))
            }
            try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
            let extras = rank == 0 ? [CheckpointFile(path: "model/config.json", parts: [HostBuffer(copying: Array(config))])] : []
            let contribution = try await CheckpointWriter.writeRankFiles(
                state, rank: rank, worldSize: worldSize, checkpoint: id, backend: backend,
                naming: CheckpointNaming { Qwen3ForCausalLM.huggingFaceName(for: $0) }, extraFiles: extras)
            _ = try await CheckpointCommit.commit(
                contribution, failure: nil, checkpoint: id,
                metadata: CheckpointMetadata(globalStep: 7, epoch: 0, strategyKind: "fsdp2", configHash: "test",
                                             modelFingerprint: "test", libraryVersion: "test"),
                backend: backend, communicator: communicator)
        }
        return backend
    }

    @Test(arguments: [1, 3, 4])
    func exportConsolidatesAShardedCheckpoint(worldSize: Int) async throws {
        let model = Qwen3ForCausalLM(configuration: Self.configuration)
        model.initializeRandomly(seed: 3)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = try await Self.shardedCheckpoint(model, worldSize: worldSize, folder: root + "/run")
        // A small shard limit forces several weight files and an index, as transformers writes large models.
        let summary = try await HuggingFaceExport.export(
            from: backend, checkpoint: CheckpointID(step: 7), to: root + "/hf", maximumShardBytes: 4_000)
        #expect(summary.files.count > 1)
        #expect(FileManager.default.fileExists(atPath: root + "/hf/model.safetensors.index.json"))
        #expect(summary.tensorCount == model.allParameters.count)
        let reloaded = Qwen3ForCausalLM(configuration: try Qwen3Configuration.load(contentsOf: root + "/hf"))
        try reloaded.loadWeights(fromFolder: root + "/hf")
        for (original, exported) in zip(model.allParameters, reloaded.allParameters) {
            #expect(original.key == exported.key)
            #expect(Array(original.values) == Array(exported.values), "\(original.key)")
        }
        let names = try SafetensorsFolder(contentsOf: root + "/hf").tensorNames
        #expect(names.contains("lm_head.weight") && names.contains("model.embed_tokens.weight"))
    }
}
