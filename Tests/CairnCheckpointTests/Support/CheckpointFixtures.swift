import CairnCheckpoint
import CairnCore
import CairnEmbedded
import CairnJSON
import Foundation
import Testing

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryFolder: @unchecked Sendable {
    // Immutable after init; the folder is removed once.
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "cairn-checkpoint-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// How a test tensor is split across ranks.
enum Split: String, CaseIterable, Sendable {
    case replicated
    case rows
    case flat

    /// Rank `rank`'s placement of a tensor of `shape`: even chunks rounded up, so the last shard may be shorter
    /// or empty (5 rows on 4 ranks: 2, 2, 1, 0).
    func placement(shape: [Int], rank: Int, worldSize: Int) -> TensorLayout.Placement {
        switch self {
        case .replicated:
            return .replicated
        case .rows:
            let range = Self.chunk(count: shape.first ?? 1, rank: rank, worldSize: worldSize)
            return .rows(range)
        case .flat:
            return .elements(Self.chunk(count: shape.reduce(1, *), rank: rank, worldSize: worldSize))
        }
    }

    static func chunk(count: Int, rank: Int, worldSize: Int) -> Range<Int> {
        let size = (count + worldSize - 1) / worldSize
        return min(count, rank * size)..<min(count, (rank + 1) * size)
    }
}

/// A named tensor of the test state with deterministic contents: element `i` is `seed + i * 0.25`.
struct TensorSpec: Sendable {
    var key: StateKey
    var shape: [Int]
    var split: Split
    var seed: Float

    var elementCount: Int { shape.reduce(1, *) }

    /// Every element of the whole tensor.
    var fullValues: [Float] { (0..<elementCount).map { seed + Float($0) * 0.25 } }

    /// Rank `rank`'s piece under `split` (or this spec's split).
    func tensor(rank: Int, worldSize: Int, split: Split? = nil, values: [Float]? = nil) -> StateTensor {
        let layout = TensorLayout(
            globalShape: shape, placement: (split ?? self.split).placement(shape: shape, rank: rank, worldSize: worldSize))
        let all = values ?? fullValues
        return StateTensor(layout: layout, buffer: HostBuffer(copying: Array(all[layout.globalElementRange])))
    }
}

/// The tensors most tests save: replicated, row-sharded with an uneven (and at 4 ranks, empty) last shard,
/// flat-partitioned, a scalar tensor and an empty one.
let standardTensors: [TensorSpec] = [
    TensorSpec(key: "model.embed_tokens.weight", shape: [5, 3], split: .rows, seed: 1),
    TensorSpec(key: "model.norm.weight", shape: [3], split: .replicated, seed: 100),
    TensorSpec(key: "model.lm_head.weight", shape: [7, 2], split: .rows, seed: -3),
    TensorSpec(key: "optimizer.state.model.embed_tokens.weight.exp_avg", shape: [5, 3], split: .flat, seed: 0.5),
    TensorSpec(key: "optimizer.state.model.norm.weight.exp_avg", shape: [3], split: .flat, seed: 7),
    TensorSpec(key: "optimizer.state.scale", shape: [], split: .replicated, seed: 42),
    TensorSpec(key: "optimizer.state.empty", shape: [0, 4], split: .rows, seed: 0),
]

/// Scalars that exercise exactness: 64-bit extremes, doubles that need every bit, text with escapes.
func standardScalars(rank: Int) -> [(StateKey, StateValue)] {
    [
        ("rng.seed", .int(Int64.max - Int64(rank))),
        ("rng.stream", .int(Int64.min)),
        ("rng.words", .ints([0, -1, Int64.max, 1 << 53 + 1])),
        ("train_state.epoch", .double(0.1 + Double(rank))),
        ("train_state.tiny", .double(5e-324)),
        ("train_state.negative_zero", .double(-0.0)),
        ("train_state.not_a_number", .double(Double(nan: 0x1234, signaling: false))),
        ("train_state.infinity", .double(-.infinity)),
        ("dataloader.name", .string("naïve \"quoted\"\n\u{0}tab\t🎉")),
        ("dataloader.shuffle", .bool(rank % 2 == 0)),
        ("optimizer.state.model.norm.weight.step", .int(12)),
    ]
}

/// Rank `rank`'s state: the tensors split as their specs say (or all as `split`), plus the scalars.
func makeState(
    rank: Int, worldSize: Int, tensors: [TensorSpec] = standardTensors, split: Split? = nil, scalars: Bool = true
) -> StateDict {
    var dict = StateDict()
    for spec in tensors { dict[spec.key] = .tensor(spec.tensor(rank: rank, worldSize: worldSize, split: split)) }
    if scalars { for (key, value) in standardScalars(rank: rank) { dict[key] = value } }
    return dict
}

/// Metadata for a test checkpoint.
func metadata(step: Int) -> CheckpointMetadata {
    CheckpointMetadata(
        globalStep: step, epoch: 0.25, strategyKind: "test", strategyOptions: ["shards": 4, "nested": ["a": [1, 2]]],
        peft: nil, configHash: "config-hash", modelFingerprint: "model-fingerprint", libraryVersion: "0.0.0-test",
        createdAt: "2026-01-01T00:00:00.000Z")
}

/// Saves one state per rank through the real writer and commit, with `worldSize` embedded ranks.
@discardableResult
func save(
    _ states: @escaping @Sendable (Int, Int) -> StateDict, worldSize: Int, step: Int, backend: any CheckpointBackend,
    naming: CheckpointNaming = CheckpointNaming(), extraFiles: [CheckpointFile] = []
) async throws -> CheckpointManifest {
    let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(60))
    let id = CheckpointID(step: step)
    let manifests = try await group.run { communicator in
        try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
        let contribution = try await CheckpointWriter.writeRankFiles(
            states(communicator.rank, worldSize), rank: communicator.rank, worldSize: worldSize, checkpoint: id,
            backend: backend, naming: naming, extraFiles: communicator.rank == 0 ? extraFiles : [])
        return try await CheckpointCommit.commit(
            contribution, failure: nil, checkpoint: id, metadata: metadata(step: step), backend: backend,
            communicator: communicator)
    }
    #expect(Set(manifests).count == 1, "every rank returns the same manifest")
    return manifests[0]
}

/// Loads into one target per rank with `worldSize` embedded ranks (reads need no collectives, but run as ranks).
func load(
    _ targets: @escaping @Sendable (Int, Int) -> StateDict, worldSize: Int, step: Int, backend: any CheckpointBackend,
    verification: CheckpointReader.Verification = .wholePieces
) async throws -> [StateDict] {
    let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: step))
    let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(60))
    return try await group.run { communicator in
        try await reader.read(
            into: targets(communicator.rank, worldSize), rank: communicator.rank, worldSize: worldSize,
            verification: verification)
    }
}

/// The error `body` throws, as a `CheckpointError`.
func checkpointError(_ body: () async throws -> Void) async -> CheckpointError? {
    do {
        try await body()
        return nil
    } catch let error as CheckpointError {
        return error
    } catch {
        Issue.record("expected a CheckpointError, got \(error)")
        return nil
    }
}

/// Bitwise equality of scalar values (so NaN payloads and -0.0 count).
func sameBits(_ lhs: StateValue?, _ rhs: StateValue?) -> Bool {
    switch (lhs, rhs) {
    case (.double(let a)?, .double(let b)?): return a.bitPattern == b.bitPattern
    default: return lhs == rhs
    }
}
