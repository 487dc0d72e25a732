public import CairnCheckpoint
public import CairnCore
import CairnEmbedded
import CairnNN
import Foundation

/// `cairn bench checkpoint`: durable save and cold load of the small model's weights and AdamW state through the
/// real writer, commit and reader, each paired with the raw bandwidth of the same disk measured in the same round,
/// and the training stall of an asynchronous save.
public enum CheckpointThroughputBenchmark {
    /// One round's figures.
    public struct Round: Sendable {
        public var rawWrite: DiskBandwidth.Measurement
        public var rawRead: DiskBandwidth.Measurement
        public var checkpoint: CheckpointBenchmark.Result
        /// Durable save throughput over raw fsync'ed write throughput.
        public var saveRatio: Double { checkpoint.saveGigabytesPerSecond / rawWrite.gigabytesPerSecond }
        /// Load throughput over raw read throughput (both cold when the page cache could be dropped).
        public var loadRatio: Double { checkpoint.loadGigabytesPerSecond / rawRead.gigabytesPerSecond }
    }

    /// The whole benchmark.
    public struct Result: Sendable {
        public var rounds: [Round]
        /// What asynchronous saves cost the training loop, measured in a real run.
        public var asyncStall: AsyncSaveStallBenchmark.Result
        /// Bytes of state saved.
        public var byteCount: Int
    }

    /// The small model's parameters (DESIGN.md §10) with their AdamW state: about 400 MB of float32.
    public static func smallModelState() -> StateDict {
        let model = Qwen3ForCausalLM(configuration: BenchmarkShape.small.model)
        return CheckpointBenchmark.modelAndAdamWState(parameters: model.allParameters.map {
            (key: $0.key.removingPrefix(StateNamespace.model.key) ?? $0.key, shape: $0.shape)
        })
    }

    /// Runs `rounds` rounds of raw write, checkpoint save, raw cold read and checkpoint cold load in `folder`.
    public static func run(folder: String, strategy: any DistStrategy, rounds: Int = 3) async throws -> Result {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let state = smallModelState()
        let bytes = state.tensors.reduce(0) { $0 + $1.value.buffer.byteCount }
        let communicator = LocalRankGroup(worldSize: 1).communicator(rank: 0)
        var results: [Round] = []
        for round in 0..<rounds {
            let rawWrite = try DiskBandwidth.measureWrite(folder: folder, bytes: bytes)
            let checkpoint = try await CheckpointBenchmark.run(state: state, folder: folder, communicator: communicator,
                                                               step: round + 1, dropCaches: true)
            let rawRead = try DiskBandwidth.measureRead(folder: folder, bytes: bytes, dropCaches: true)
            results.append(Round(rawWrite: rawWrite, rawRead: rawRead, checkpoint: checkpoint))
        }
        return Result(rounds: results, asyncStall: try await AsyncSaveStallBenchmark.run(folder: folder, strategy: strategy), byteCount: bytes)
    }
}
