import CairnCheckpoint
import CairnCore
import CairnEmbedded
import Foundation
import Testing

/// The small benchmark model's parameters (DESIGN.md §10: hidden 512, 8 layers, 8/4 heads of 64, MLP 1536,
/// vocab 8192, untied head): 33.6 M floats, so model + AdamW is 403 MB.
private func smallModelParameters() -> [(key: StateKey, shape: [Int])] {
    var parameters: [(key: StateKey, shape: [Int])] = [("model.embed_tokens.weight", [8192, 512])]
    for layer in 0..<8 {
        let prefix = "model.layers.\(layer)."
        parameters += [
            (StateKey(prefix + "self_attn.q_proj.weight"), [512, 512]), (StateKey(prefix + "self_attn.k_proj.weight"), [256, 512]),
            (StateKey(prefix + "self_attn.v_proj.weight"), [256, 512]), (StateKey(prefix + "self_attn.o_proj.weight"), [512, 512]),
            (StateKey(prefix + "self_attn.q_norm.weight"), [64]), (StateKey(prefix + "self_attn.k_norm.weight"), [64]),
            (StateKey(prefix + "mlp.gate_proj.weight"), [1536, 512]), (StateKey(prefix + "mlp.up_proj.weight"), [1536, 512]),
            (StateKey(prefix + "mlp.down_proj.weight"), [512, 1536]),
            (StateKey(prefix + "input_layernorm.weight"), [512]), (StateKey(prefix + "post_attention_layernorm.weight"), [512]),
        ]
    }
    return parameters + [("model.norm.weight", [512]), ("lm_head.weight", [8192, 512])]
}

@Suite struct CheckpointBenchmarkTests {
    @Test func aSmallBenchmarkRunReportsConsistentFigures() async throws {
        let folder = try TemporaryFolder()
        let state = CheckpointBenchmark.modelAndAdamWState(parameters: [("a", [64, 32]), ("b", [7])])
        let result = try await CheckpointBenchmark.run(
            state: state, folder: folder.path, communicator: LocalRankGroup(worldSize: 1).communicator(rank: 0),
            dropCaches: false)
        #expect(result.byteCount > 3 * (64 * 32 + 7) * 4 && result.saveSeconds > 0 && result.loadSeconds > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the checkpoint is deleted")
        let write = try DiskBandwidth.measureWrite(folder: folder.path, bytes: 1 << 20)
        let read = try DiskBandwidth.measureRead(folder: folder.path, bytes: 1 << 20, dropCaches: false)
        #expect(write.byteCount == 1 << 20 && read.byteCount == 1 << 20 && !read.isCold)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the probe files are removed")
    }

    /// The figures of DESIGN.md §10 for model + AdamW of the small config; runs only under `CAIRN_BENCH=1`
    /// (`CAIRN_BENCH_DIR` picks the disk, default the temporary folder).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CAIRN_BENCH"] == "1"))
    func smallModelCheckpointThroughput() async throws {
        let base = ProcessInfo.processInfo.environment["CAIRN_BENCH_DIR"] ?? NSTemporaryDirectory()
        let folder = base + "/cairn-checkpoint-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let state = CheckpointBenchmark.modelAndAdamWState(parameters: smallModelParameters())
        let bytes = state.tensors.reduce(0) { $0 + $1.value.buffer.byteCount }
        let communicator = LocalRankGroup(worldSize: 1).communicator(rank: 0)
        for round in 1...3 {
            let write = try DiskBandwidth.measureWrite(folder: folder, bytes: bytes)
            let read = try DiskBandwidth.measureRead(folder: folder, bytes: bytes, dropCaches: true)
            let result = try await CheckpointBenchmark.run(state: state, folder: folder, communicator: communicator)
            let exact = try await CheckpointBenchmark.run(state: state, folder: folder, communicator: communicator, verification: .exactRanges)
            print("round \(round): raw write \(write); raw read (\(read.isCold ? "cold" : "warm")) \(read)")
            print("round \(round): \(result)")
            print("round \(round): exact-range load \(exact.loadSeconds) s = \(exact.loadGigabytesPerSecond) GB/s")
            print("round \(round): save/raw \(result.saveGigabytesPerSecond / write.gigabytesPerSecond), load/raw \(result.loadGigabytesPerSecond / read.gigabytesPerSecond)")
        }
    }
}
