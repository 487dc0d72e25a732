import CairnCore
import CairnEmbedded
import Testing

private func file(_ path: String, _ bytes: [UInt8]) -> CheckpointFile {
    CheckpointFile(path: path, parts: [HostBuffer(copying: bytes)])
}

private func bytes(_ buffer: HostBuffer) -> [UInt8] { withExtendedLifetime(buffer) { Array(buffer.bytes) } }

/// The conformance kit runs on this backend in `CairnCheckpointTests` (`InMemoryBackendConformanceTests`): this
/// target does not depend on `CairnConformance`.
@Suite struct InMemoryBackendTests {
    @Test func anInjectedWriteFailureStoresNothingAndHitsOnlyOnce() async throws {
        let backend = InMemoryBackend()
        let id = CheckpointID(step: 1)
        backend.inject(.failWrite(number: 2))
        try await backend.write(file("a", [1]), to: id)
        await #expect(throws: CheckpointError.self) { try await backend.write(file("b", [2]), to: id) }
        try await backend.write(file("c", [3]), to: id)
        #expect(backend.paths(of: id) == ["a", "c"])
        #expect(backend.writeCount == 2)
    }

    @Test func aTornWriteKeepsHalfTheFileAndIsNeverCommitted() async throws {
        let backend = InMemoryBackend()
        let id = CheckpointID(step: 2)
        backend.inject(.tearWrite(number: 1))
        await #expect(throws: CheckpointError.self) { try await backend.write(file("a", [1, 2, 3, 4]), to: id) }
        #expect(bytes(try await backend.read("a", of: id, range: nil)) == [1, 2])
        #expect(try await backend.list().map(\.isCommitted) == [false])
    }

    @Test func aCrashBeforeCommitLeavesTheCheckpointUncommittedAndTheNextCommitWorks() async throws {
        let backend = InMemoryBackend()
        let id = CheckpointID(step: 3)
        try await backend.write(file("a", [9]), to: id)
        backend.inject(.crashBeforeCommit)
        await #expect(throws: CheckpointError.self) { try await backend.commit(id, manifest: [1]) }
        #expect(try await backend.list().map(\.isCommitted) == [false])
        try await backend.commit(id, manifest: [1])
        #expect(try await backend.list().map(\.isCommitted) == [true])
        #expect(backend.paths(of: id) == ["COMPLETE", "a", "manifest.json"])
    }

    @Test func writesCopyTheCallersBytes() async throws {
        let backend = InMemoryBackend()
        let id = CheckpointID(step: 4)
        let buffer = HostBuffer(copying: [UInt8](repeating: 5, count: 8))
        try await backend.write(CheckpointFile(path: "x", parts: [buffer]), to: id)
        buffer.mutableBytes[0] = 0
        #expect(bytes(try await backend.read("x", of: id, range: nil)) == [UInt8](repeating: 5, count: 8))
    }

    @Test func unsafePathsAndOutOfRangeReadsAreErrors() async throws {
        let backend = InMemoryBackend()
        let id = CheckpointID(step: 5)
        for path in ["../x", "/x", "a//b", "a\\b", "", "manifest.json"] {
            await #expect(throws: CheckpointError.self) { try await backend.write(file(path, [1]), to: id) }
        }
        try await backend.write(file("a", [1, 2]), to: id)
        await #expect(throws: CheckpointError.self) { _ = try await backend.read("a", of: id, range: 1..<3) }
        await #expect(throws: CheckpointError.self) { _ = try await backend.read("b", of: id, range: nil) }
    }
}
