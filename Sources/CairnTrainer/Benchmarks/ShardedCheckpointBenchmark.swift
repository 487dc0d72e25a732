public import CairnCheckpoint
public import CairnCore
import CairnEmbedded
import Foundation

/// `cairn bench sharded-checkpoint`: what sharding does to checkpoint I/O, measured on this machine.
///
/// A state dict (the small model's weights and AdamW state, by default) is saved durably by one rank and, as a
/// sharded checkpoint, by W ranks of a ``LocalRankGroup`` that each write only their own pieces, concurrently,
/// through the trainer's ``CheckpointWriter`` and ``CheckpointCommit``. The sharded checkpoint is then loaded by
/// W ranks (the saving layout) and by W′ ranks (a resharded resume), each rank reading through
/// ``CheckpointReader`` exactly the byte ranges its pieces need, as the trainer's resume does once rank 0 has
/// verified the checkpoint. Every round also measures the raw fsync'ed write and the raw read bandwidth of the
/// same disk with ``DiskBandwidth``.
///
/// Pieces follow the fsdp2 layout: each tensor is split on dim 0 into blocks of ⌈rows / W⌉ rows, the last blocks
/// shorter or empty, as `torch.chunk` splits it. The single-rank save writes the tensors replicated, as `single`
/// does.
public enum ShardedCheckpointBenchmark {
    /// One timed save.
    public struct Save: Sendable, Hashable {
        /// The ranks that wrote.
        public var worldSize: Int
        /// The bytes of the committed checkpoint's files (headers, JSON and tensors).
        public var byteCount: Int
        /// Seconds from the first rank's first write to the commit's return on every rank.
        public var seconds: Double
        /// 10⁹ bytes per second.
        public var gigabytesPerSecond: Double { Double(byteCount) / seconds / 1e9 }
    }

    /// One timed load.
    public struct Load: Sendable, Hashable {
        /// The ranks that saved the checkpoint.
        public var savedWorldSize: Int
        /// The ranks that loaded it.
        public var worldSize: Int
        /// The tensor bytes the ranks received, together.
        public var byteCount: Int
        /// Seconds from the start until every rank holds its pieces (manifests parsed, byte ranges read).
        public var seconds: Double
        /// Whether the load started from a dropped page cache (else the saved files may still be cached).
        public var isCold: Bool
        /// Whether every rank received exactly the bytes of its pieces of the saved state (checked untimed).
        public var isExact: Bool
        /// 10⁹ bytes per second.
        public var gigabytesPerSecond: Double { Double(byteCount) / seconds / 1e9 }
    }

    /// One round's figures.
    public struct Round: Sendable, Hashable {
        public var rawWrite: DiskBandwidth.Measurement
        public var rawRead: DiskBandwidth.Measurement
        /// The save by one rank.
        public var single: Save
        /// The save by W ranks.
        public var sharded: Save
        /// The W-rank checkpoint loaded by W ranks.
        public var sameLayout: Load
        /// The W-rank checkpoint loaded by W′ ranks.
        public var resharded: Load

        /// How many times faster the sharded save completed than the single-rank one.
        public var shardedSpeedup: Double { single.seconds / sharded.seconds }
        /// Sharded save throughput over raw fsync'ed write throughput.
        public var shardedSaveRatio: Double { sharded.gigabytesPerSecond / rawWrite.gigabytesPerSecond }
        /// Resharded load throughput over same-layout load throughput.
        public var reshardedLoadRatio: Double { resharded.gigabytesPerSecond / sameLayout.gigabytesPerSecond }
        /// Resharded load throughput over raw read throughput.
        public var reshardedReadRatio: Double { resharded.gigabytesPerSecond / rawRead.gigabytesPerSecond }
    }

    /// The whole benchmark.
    public struct Result: Sendable {
        public var rounds: [Round]
        /// Tensor bytes of the state.
        public var byteCount: Int
        /// W: the ranks that save the sharded checkpoint.
        public var shardedWorldSize: Int
        /// W′: the ranks that load it resharded.
        public var reshardedWorldSize: Int

        /// The median over rounds of `figure`.
        public func median(_ figure: (Round) -> Double) -> Double {
            let values = rounds.map(figure).sorted()
            return values.isEmpty ? .nan : values[values.count / 2]
        }
    }

    /// Runs `rounds` rounds in a fresh subfolder of `folder`, removed afterwards. Each round measures a raw write,
    /// the two saves, a raw read and the two loads; the order of the saves and of the loads alternates between
    /// rounds so neither always runs on a warmer or fuller disk.
    ///
    /// - Parameters:
    ///   - state: replicated tensors and scalars with absolute keys (``CheckpointThroughputBenchmark/smallModelState()``).
    ///   - shardedWorldSize: W, at least 2.
    ///   - reshardedWorldSize: W′, at least 1 and not W.
    ///   - dropCaches: drop the page cache before each read and load (honoured only for root; see
    ///     ``DiskBandwidth/dropPageCache()``).
    /// - Returns: one ``Round`` per round; every load's ``Load/isExact`` says whether it read the right bytes.
    /// - Throws: what the writer, commit, reader or ``DiskBandwidth`` throw.
    public static func run(
        state: StateDict, folder: String, shardedWorldSize: Int = 4, reshardedWorldSize: Int = 2, rounds: Int = 3,
        dropCaches: Bool = true
    ) async throws -> Result {
        precondition(shardedWorldSize >= 2 && reshardedWorldSize >= 1 && reshardedWorldSize != shardedWorldSize,
                     "ShardedCheckpointBenchmark: W = \(shardedWorldSize), W′ = \(reshardedWorldSize)")
        let root = folder + "/sharded-checkpoint-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = FileSystemBackend(root: root)
        let bytes = state.tensors.reduce(0) { $0 + $1.value.buffer.byteCount }
        var results: [Round] = []
        for round in 0..<rounds {
            let forward = round % 2 == 0
            let (singleStep, shardedStep) = (2 * round + 1, 2 * round + 2)
            let rawWrite = try DiskBandwidth.measureWrite(folder: root, bytes: bytes)
            var saves: [Int: Save] = [:]
            for (worldSize, step) in forward ? [(1, singleStep), (shardedWorldSize, shardedStep)]
                : [(shardedWorldSize, shardedStep), (1, singleStep)]
            {
                saves[worldSize] = try await save(state, worldSize: worldSize, backend: backend, step: step)
            }
            try await backend.delete(CheckpointID(step: singleStep))
            let rawRead = try DiskBandwidth.measureRead(folder: root, bytes: bytes, dropCaches: dropCaches)
            var loads: [Int: Load] = [:]
            for worldSize in forward ? [shardedWorldSize, reshardedWorldSize] : [reshardedWorldSize, shardedWorldSize] {
                loads[worldSize] = try await load(
                    state, step: shardedStep, savedWorldSize: shardedWorldSize, worldSize: worldSize, backend: backend,
                    dropCaches: dropCaches)
            }
            try await backend.delete(CheckpointID(step: shardedStep))
            results.append(Round(rawWrite: rawWrite, rawRead: rawRead, single: saves[1]!, sharded: saves[shardedWorldSize]!,
                                 sameLayout: loads[shardedWorldSize]!, resharded: loads[reshardedWorldSize]!))
        }
        return Result(rounds: results, byteCount: bytes, shardedWorldSize: shardedWorldSize,
                      reshardedWorldSize: reshardedWorldSize)
    }

    /// What rank `rank` of `worldSize` holds of `state` under the fsdp2 layout: every tensor's block of
    /// ⌈rows / W⌉ dim-0 rows (shorter or empty at the end) as a view of `state`'s storage, and every scalar. With
    /// one rank, `state` itself (replicated).
    /// - Precondition: every tensor of `state` is replicated and has at least one dimension.
    public static func piece(of state: StateDict, rank: Int, worldSize: Int) -> StateDict {
        precondition((0..<worldSize).contains(rank), "ShardedCheckpointBenchmark: rank \(rank) of \(worldSize)")
        guard worldSize > 1 else { return state }
        var result = StateDict()
        for (key, value) in state.entries {
            guard let tensor = value.tensor else {
                result[key] = value
                continue
            }
            let whole = tensor.layout
            precondition(whole.placement == .replicated && !whole.globalShape.isEmpty,
                         "ShardedCheckpointBenchmark: \(key) is not a replicated tensor with a dim 0")
            let rows = whole.globalShape[0]
            let block = (rows + worldSize - 1) / worldSize
            let lower = min(rows, rank * block)
            let layout = TensorLayout(elementType: whole.elementType, globalShape: whole.globalShape,
                                      placement: .rows(lower..<min(rows, lower + block)))
            let width = whole.elementType.byteWidth
            let elements = layout.globalElementRange
            result[key] = .tensor(StateTensor(
                layout: layout, buffer: tensor.buffer.slice(elements.lowerBound * width..<elements.upperBound * width)))
        }
        return result
    }

    // MARK: - Private helpers

    /// Saves `state` as checkpoint `step` from `worldSize` ranks, each writing its ``piece(of:rank:worldSize:)``.
    private static func save(_ state: StateDict, worldSize: Int, backend: FileSystemBackend, step: Int) async throws -> Save {
        let id = CheckpointID(step: step)
        let metadata = CheckpointMetadata(
            globalStep: step, epoch: 0, strategyKind: worldSize == 1 ? "single" : "fsdp2", configHash: "benchmark",
            modelFingerprint: "benchmark", libraryVersion: CairnVersion.current)
        let pieces = (0..<worldSize).map { piece(of: state, rank: $0, worldSize: worldSize) }
        let spans = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let rank = communicator.rank
            try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
            try await communicator.barrier()
            let start = ContinuousClock.now
            var contribution: RankContribution?
            var failure: (any Error)?
            do {
                contribution = try await CheckpointWriter.writeRankFiles(
                    pieces[rank], rank: rank, worldSize: worldSize, checkpoint: id, backend: backend)
            } catch {
                failure = error
            }
            let manifest = try await CheckpointCommit.commit(
                contribution, failure: failure, checkpoint: id, metadata: metadata, backend: backend,
                communicator: communicator)
            return (start: start, end: ContinuousClock.now, byteCount: manifest.totalByteCount)
        }
        let seconds = (spans.map(\.end).max()! - spans.map(\.start).min()!) / .seconds(1)
        return Save(worldSize: worldSize, byteCount: spans[0].byteCount, seconds: seconds)
    }

    /// Loads checkpoint `step` (saved by `savedWorldSize` ranks) on `worldSize` ranks, each into its
    /// ``piece(of:rank:worldSize:)`` of `state`, and checks the bytes afterwards.
    private static func load(
        _ state: StateDict, step: Int, savedWorldSize: Int, worldSize: Int, backend: FileSystemBackend, dropCaches: Bool
    ) async throws -> Load {
        let id = CheckpointID(step: step)
        let targets = (0..<worldSize).map { piece(of: state, rank: $0, worldSize: worldSize) }
        let isCold = dropCaches && DiskBandwidth.dropPageCache()
        let start = ContinuousClock.now
        let loaded = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let reader = try await CheckpointReader(backend: backend, checkpoint: id)
            return try await reader.read(into: targets[communicator.rank], rank: communicator.rank, worldSize: worldSize,
                                         verification: .exactRanges)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        var byteCount = 0
        var isExact = true
        for (received, target) in zip(loaded, targets) {
            for (key, expected) in target.tensors {
                guard let tensor = received[key]?.tensor, tensor.layout == expected.layout else {
                    isExact = false
                    continue
                }
                byteCount += tensor.buffer.byteCount
                isExact = isExact && sameBytes(tensor.buffer, expected.buffer)
            }
        }
        return Load(savedWorldSize: savedWorldSize, worldSize: worldSize, byteCount: byteCount, seconds: seconds,
                    isCold: isCold, isExact: isExact)
    }

    /// Whether two buffers hold the same bytes (`memcmp`, fast on the benchmark's hundreds of megabytes).
    private static func sameBytes(_ lhs: HostBuffer, _ rhs: HostBuffer) -> Bool {
        lhs.byteCount == rhs.byteCount && (lhs.byteCount == 0 || memcmp(lhs.baseAddress, rhs.baseAddress, lhs.byteCount) == 0)
    }
}
