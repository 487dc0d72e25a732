public import CairnCheckpoint
import CairnConformance
public import CairnEmbedded
import CairnCore
import Testing

/// The backend kit on `CairnEmbedded.InMemoryBackend` (its own tests live in `CairnEmbeddedTests`, which does not
/// depend on the kit).
@Test func inMemoryBackendSatisfiesTheLaws() async {
    await CheckpointBackendConformance.verify { InMemoryBackend() }
}

/// The in-memory backend has `discardUncommitted(_:)`; where both modules meet it is discarding too.
extension InMemoryBackend: UncommittedCheckpointDiscarding {}

@Test func prepareDiscardsAStaleUncommittedCopyBesideACommittedOne() async throws {
    let backend = InMemoryBackend()
    try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 2, backend: backend)
    try await backend.write(CheckpointFile(path: "stray.bin", parts: []), to: CheckpointID(step: 2))
    try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 2, backend: backend)
    #expect(!backend.paths(of: CheckpointID(step: 2)).contains("stray.bin"))
}
