import CairnCheckpoint
import CairnCore
import CairnEmbedded
import Testing

/// Tensors sized so that 4 → 2 and 4 → 3 cut through saved pieces.
private let reshardTensors: [TensorSpec] = [
    TensorSpec(key: "model.a", shape: [10, 6], split: .rows, seed: 1),
    TensorSpec(key: "model.b", shape: [7], split: .rows, seed: 2),
    TensorSpec(key: "optimizer.c", shape: [9, 5], split: .rows, seed: 3),
    TensorSpec(key: "optimizer.d", shape: [3, 2], split: .rows, seed: 4),
]

private func state(_ split: Split) -> @Sendable (Int, Int) -> StateDict {
    { rank, worldSize in makeState(rank: rank, worldSize: worldSize, tensors: reshardTensors, split: split, scalars: false) }
}

@Suite struct ReshardingTests {
    @Test(arguments: [
        (Split.rows, 4, Split.rows, 2), (.rows, 4, .rows, 3), (.flat, 3, .rows, 4), (.rows, 4, .replicated, 1),
        (.replicated, 1, .flat, 4), (.flat, 4, .flat, 2), (.replicated, 2, .rows, 3), (.rows, 2, .flat, 3),
    ])
    func loadUnderAnotherLayoutGivesTheSamePieces(saved: Split, savedWorld: Int, loaded: Split, loadedWorld: Int) async throws {
        let backend = InMemoryBackend()
        try await save(state(saved), worldSize: savedWorld, step: 5, backend: backend)
        for verification in [CheckpointReader.Verification.wholePieces, .exactRanges] {
            let results = try await load(state(loaded), worldSize: loadedWorld, step: 5, backend: backend, verification: verification)
            for rank in 0..<loadedWorld {
                for spec in reshardTensors {
                    let expected = spec.tensor(rank: rank, worldSize: loadedWorld, split: loaded)
                    let actual = try #require(results[rank][spec.key]?.tensor)
                    #expect(actual == expected, "\(spec.key) rank \(rank) of \(loadedWorld), \(verification)")
                }
            }
        }
    }

    @Test func reshardedReadOnlyReadsTheOverlappingBytes() async throws {
        let backend = CountingBackend(InMemoryBackend())
        try await save(state(.rows), worldSize: 4, step: 9, backend: backend)
        let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 9))
        for loadedWorld in [1, 2, 3] {
            for rank in 0..<loadedWorld {
                backend.reset()
                let target = makeState(rank: rank, worldSize: loadedWorld, tensors: reshardTensors, split: .rows, scalars: false)
                _ = try await reader.read(into: target, rank: rank, worldSize: loadedWorld, verification: .exactRanges)
                let needed = target.tensors.reduce(0) { $0 + $1.value.layout.localByteCount }
                // Header reads are the 8-byte prefix and the JSON after it; tensor data starts at byte 64 or later.
                let dataReads = backend.log.filter { $0.path.hasSuffix(".safetensors") && ($0.range?.lowerBound ?? 0) >= 64 }
                let headerReads = backend.log.filter { $0.path.hasSuffix(".safetensors") && ($0.range?.lowerBound ?? 0) < 64 }
                #expect(headerReads.allSatisfy { $0.range?.lowerBound == 0 && $0.bytes == 8 || $0.range?.lowerBound == 8 })
                let dataBytes = dataReads.reduce(0) { $0 + $1.bytes }
                #expect(dataBytes == needed, "rank \(rank) of \(loadedWorld) read \(dataBytes) data bytes, needs \(needed)")
                #expect(backend.log.allSatisfy { $0.range != nil || $0.path.hasPrefix("ranks/") }, "no whole-file reads")
            }
        }
    }

    @Test func wholePieceVerificationReadsEachTouchedPieceOnce() async throws {
        let backend = CountingBackend(InMemoryBackend())
        try await save(state(.rows), worldSize: 4, step: 9, backend: backend)
        let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 9))
        backend.reset()
        let target = makeState(rank: 0, worldSize: 1, tensors: reshardTensors, split: .replicated, scalars: false)
        _ = try await reader.read(into: target, rank: 0, worldSize: 1)
        let total = reshardTensors.reduce(0) { $0 + $1.elementCount * 4 }
        let pieceReads = backend.log.filter { $0.path.hasSuffix(".safetensors") && ($0.range?.lowerBound ?? 0) >= 64 }
        #expect(pieceReads.reduce(0) { $0 + $1.bytes } == total)
    }
}
