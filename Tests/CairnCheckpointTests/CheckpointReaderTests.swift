import CairnCheckpoint
import CairnCore
import CairnEmbedded
import Testing

@Suite struct CheckpointReaderTests {
    private func committed(worldSize: Int = 2) async throws -> InMemoryBackend {
        let backend = InMemoryBackend()
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: worldSize, step: 3, backend: backend)
        return backend
    }

    @Test func strictReadsRejectKeysMissingOnEitherSide() async throws {
        let reader = try await CheckpointReader(backend: try await committed(), checkpoint: CheckpointID(step: 3))
        var extra = makeState(rank: 0, worldSize: 2)
        extra["model.not_saved"] = .int(1)
        let missingError = await checkpointError { _ = try await reader.read(into: extra, rank: 0, worldSize: 2) }
        #expect(missingError?.code == .incompatible && missingError?.key == "model.not_saved")
        let loaded = try await reader.read(into: extra, rank: 0, worldSize: 2, options: .allowMissingKeys)
        #expect(loaded["model.not_saved"] == nil && loaded["rng.seed"] != nil)

        var fewer = makeState(rank: 0, worldSize: 2)
        fewer["model.norm.weight"] = nil
        let unexpectedError = await checkpointError { _ = try await reader.read(into: fewer, rank: 0, worldSize: 2) }
        #expect(unexpectedError?.code == .incompatible && unexpectedError?.key == "model.norm.weight")
        #expect(try await reader.read(into: fewer, rank: 0, worldSize: 2, options: .allowUnexpectedKeys).count == fewer.count)
    }

    @Test func mismatchedTypesShapesAndDtypesNameTheKey() async throws {
        let reader = try await CheckpointReader(backend: try await committed(), checkpoint: CheckpointID(step: 3))
        let cases: [(StateKey, StateValue)] = [
            ("rng.seed", .double(1)),
            ("rng.seed", .tensor(StateTensor(shape: [1], copying: [0]))),
            ("model.norm.weight", .int(1)),
            ("model.norm.weight", .tensor(StateTensor(shape: [4], copying: [0, 0, 0, 0]))),
            ("model.norm.weight", .tensor(StateTensor(layout: .replicated([3], elementType: .int32), buffer: HostBuffer(zeroedByteCount: 12)))),
        ]
        for (key, value) in cases {
            var target = makeState(rank: 0, worldSize: 2)
            target[key] = value
            let error = await checkpointError { _ = try await reader.read(into: target, rank: 0, worldSize: 2) }
            #expect(error?.code == .incompatible && error?.key == key, "\(key) as \(value.kindName): \(String(describing: error))")
        }
    }

    @Test func openingAMissingOrUncommittedCheckpointSaysWhich() async throws {
        let backend = try await committed()
        #expect(await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 9)) }?.code == .notFound)
        try await backend.write(CheckpointFile(path: "a", parts: []), to: CheckpointID(step: 10))
        #expect(await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 10)) }?.code == .notCommitted)
    }

    @Test func readFileChecksTheManifestRecord() async throws {
        let backend = try await committed()
        let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 3))
        #expect(try await reader.readFile("ranks/rank-00001.json").byteCount == reader.manifest.file("ranks/rank-00001.json")?.byteCount)
        #expect(await checkpointError { _ = try await reader.readFile("nope.json") }?.code == .notFound)
        #expect(await checkpointError { _ = try await reader.rankState(rank: 2) }?.code == .notFound)
    }
}
