import CairnCheckpoint
import CairnCore
import CairnTrainer
import Foundation
import Testing

/// `ShardedCheckpointBenchmark` on a tiny state: the fsdp2 pieces tile every tensor, and both loads of the sharded
/// checkpoint return exactly the saved bytes.
struct ShardedCheckpointBenchmarkTests {
    /// Uneven rows (5 over 4 ranks), fewer rows than ranks (3), a vector and an even matrix.
    static let state = CheckpointBenchmark.modelAndAdamWState(parameters: [
        (key: "embed.weight", shape: [5, 3]), (key: "norm.weight", shape: [7]), (key: "small.weight", shape: [3, 2]),
        (key: "head.weight", shape: [8, 4]),
    ])

    @Test(arguments: [2, 3, 4])
    func piecesAreTorchChunkRowBlocksThatTileEachTensor(worldSize: Int) throws {
        let pieces = (0..<worldSize).map { ShardedCheckpointBenchmark.piece(of: Self.state, rank: $0, worldSize: worldSize) }
        for (key, whole) in Self.state.tensors {
            let rows = whole.layout.globalShape[0]
            let block = (rows + worldSize - 1) / worldSize
            var covered = 0
            for (rank, piece) in pieces.enumerated() {
                let tensor = try piece.tensor(key)
                let expected = min(rows, rank * block)..<min(rows, rank * block + block)
                #expect(tensor.layout.placement == .rows(expected), "\(key) rank \(rank) of \(worldSize)")
                let width = whole.layout.elementType.byteWidth
                let range = tensor.layout.globalElementRange
                #expect(tensor.buffer.hasSameBytes(as: whole.buffer.slice(range.lowerBound * width..<range.upperBound * width)))
                covered += tensor.layout.localElementCount
            }
            #expect(covered == whole.layout.globalElementCount, "\(key): the pieces tile the tensor")
        }
        #expect(pieces.allSatisfy { $0.keys == Self.state.keys }, "every rank keeps every scalar")
    }

    @Test func savesAndLoadsReadBackExactlyTheSavedBytesAndCleanUp() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-sharded-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = Self.state.tensors.reduce(0) { $0 + $1.value.buffer.byteCount }
        let result = try await ShardedCheckpointBenchmark.run(
            state: Self.state, folder: folder, shardedWorldSize: 4, reshardedWorldSize: 2, rounds: 2, dropCaches: false)
        #expect(result.rounds.count == 2 && result.byteCount == bytes)
        for round in result.rounds {
            #expect(round.single.worldSize == 1 && round.sharded.worldSize == 4)
            #expect(round.sharded.byteCount > bytes && round.single.byteCount > bytes, "files hold the tensors and headers")
            #expect(round.sameLayout.isExact && round.resharded.isExact)
            #expect(round.sameLayout.byteCount == bytes && round.resharded.byteCount == bytes)
            #expect((round.sameLayout.savedWorldSize, round.sameLayout.worldSize) == (4, 4))
            #expect((round.resharded.savedWorldSize, round.resharded.worldSize) == (4, 2))
            #expect(round.shardedSpeedup.isFinite && round.reshardedLoadRatio.isFinite && round.shardedSaveRatio > 0)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "the benchmark removes its files")
    }
}
