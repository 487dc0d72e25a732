import CairnCore
import CairnEmbedded
import Foundation
import Testing

@testable import CairnCheckpoint

/// What one rank got from a save: the manifest, or the error it threw.
private enum RankOutcome: Sendable {
    case committed(CheckpointManifest)
    case failed(CheckpointError)
    case otherError(String)

    var error: CheckpointError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}

/// Saves with `worldSize` ranks where `failingRank` (if any) reports a failure instead of its files, and returns
/// every rank's outcome.
private func saveReportingOutcomes(
    worldSize: Int, step: Int, backend: any CheckpointBackend, failingRank: Int? = nil
) async throws -> [RankOutcome] {
    let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(60))
    let id = CheckpointID(step: step)
    return try await group.run { communicator in
        let rank = communicator.rank
        var contribution: RankContribution?
        var failure: (any Error)?
        do {
            try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
            if rank == failingRank { throw CheckpointError(.io, rank: rank, "disk full (simulated)") }
            contribution = try await CheckpointWriter.writeRankFiles(
                makeState(rank: rank, worldSize: worldSize), rank: rank, worldSize: worldSize, checkpoint: id, backend: backend)
        } catch {
            failure = error
        }
        do {
            return .committed(
                try await CheckpointCommit.commit(
                    contribution, failure: failure, checkpoint: id, metadata: metadata(step: step), backend: backend,
                    communicator: communicator))
        } catch let error as CheckpointError {
            return .failed(error)
        } catch {
            return .otherError("\(error)")
        }
    }
}

@Suite struct CheckpointCommitTests {
    @Test(arguments: [0, 1, 2])
    func aRankFailureBeforeCommitAbortsEveryRankAndLeavesOnlyTheUncommittedFolder(failingRank: Int) async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let outcomes = try await saveReportingOutcomes(worldSize: 3, step: 4, backend: backend, failingRank: failingRank)
        for (rank, outcome) in outcomes.enumerated() {
            let error = try #require(outcome.error, "rank \(rank) returned \(outcome)")
            #expect(error.code == .commitFailed && error.rank == failingRank)
            #expect(error.message.contains("disk full"))
            if rank == failingRank { #expect((error.cause as? CheckpointError)?.message == "disk full (simulated)") }
        }
        let listings = try await backend.list()
        #expect(listings.map(\.isCommitted) == [false])
        #expect(listings.first?.location.hasSuffix("checkpoint-4.tmp") == true)
        let openError = await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 4)) }
        #expect(openError?.code == .notCommitted)
        let report = await CheckpointVerifier.verify(backend: backend, checkpoint: CheckpointID(step: 4))
        #expect(!report.isValid && report.problems.first?.code == .notCommitted)
    }

    @Test func aFailedWriteInsideTheWriterAbortsTheCommit() async throws {
        let backend = InMemoryBackend()
        backend.inject(.failWrite(number: 5))
        let outcomes = try await saveReportingOutcomes(worldSize: 2, step: 1, backend: backend)
        #expect(outcomes.allSatisfy { $0.error?.code == .commitFailed && $0.error?.message.contains("injected write failure") == true })
        #expect(try await backend.list().allSatisfy { !$0.isCommitted })
    }

    @Test func aCrashBeforeCommitLeavesNothingCommitted() async throws {
        let backend = InMemoryBackend()
        backend.inject(.crashBeforeCommit)
        let outcomes = try await saveReportingOutcomes(worldSize: 2, step: 3, backend: backend)
        #expect(outcomes.allSatisfy { $0.error?.code == .commitFailed && $0.error?.rank == 0 })
        #expect(try await backend.list().map(\.isCommitted) == [false])
    }

    @Test(arguments: [FileSystemBackend.CommitStage.beforeRename, .beforeMarker])
    func aCrashDuringTheFileSystemCommitLeavesAnUncommittedFolderThatAResaveReplaces(stage: FileSystemBackend.CommitStage) async throws {
        let folder = try TemporaryFolder()
        var crashing = FileSystemBackend(root: folder.path)
        crashing.simulatedCrash = stage
        let outcomes = try await saveReportingOutcomes(worldSize: 2, step: 8, backend: crashing)
        #expect(outcomes.allSatisfy { $0.error?.code == .commitFailed })
        // A new process sees the folder as it was left: never committed.
        let backend = FileSystemBackend(root: folder.path)
        let listings = try await backend.list()
        #expect(listings.count == 1 && !listings[0].isCommitted)
        let expectedFolder = stage == .beforeRename ? "checkpoint-8.tmp" : "checkpoint-8"
        #expect(listings[0].location.hasSuffix(expectedFolder))
        let report = await CheckpointVerifier.verify(backend: backend, checkpoint: CheckpointID(step: 8))
        #expect(!report.isValid && report.problems.contains { $0.code == .notCommitted })
        let openError = await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 8)) }
        #expect(openError?.code == .notCommitted)
        // Saving the same step again commits cleanly over what the crash left.
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 8, backend: backend)
        #expect(try await backend.list().map(\.isCommitted) == [true])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["checkpoint-8"])
        #expect(await CheckpointVerifier.verify(backend: backend, checkpoint: CheckpointID(step: 8)).isValid)
    }

    @Test func resavingACommittedStepReplacesItCleanly() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 4, step: 6, backend: backend)
        // The second save has other contents, fewer ranks (so fewer files) and a stray file from a dead attempt.
        try await backend.write(CheckpointFile(path: "stray/file.bin", parts: [HostBuffer(copying: [UInt8](repeating: 1, count: 10))]),
                                to: CheckpointID(step: 6))
        let replacement = TensorSpec(key: "model.only", shape: [4], split: .rows, seed: 9)
        try await save({ makeState(rank: $0, worldSize: $1, tensors: [replacement]) }, worldSize: 2, step: 6, backend: backend)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["checkpoint-6"])
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path + "/checkpoint-6").sorted()
        #expect(!files.contains { $0.hasPrefix("stray") || $0.hasPrefix("optimizer") })
        let loaded = try await load({ makeState(rank: $0, worldSize: $1, tensors: [replacement]) }, worldSize: 2, step: 6, backend: backend)
        #expect(loaded[1]["model.only"]?.tensor == replacement.tensor(rank: 1, worldSize: 2))
        #expect(await CheckpointVerifier.verify(backend: backend, checkpoint: CheckpointID(step: 6)).isValid)
    }

    @Test func ranksThatDisagreeAboutATensorDoNotCommit() async throws {
        let backend = InMemoryBackend()
        let group = LocalRankGroup(worldSize: 2, timeout: .seconds(60))
        let id = CheckpointID(step: 2)
        let errors = try await group.run { communicator in
            let shape = communicator.rank == 0 ? [4, 2] : [5, 2]
            let spec = TensorSpec(key: "model.w", shape: shape, split: .rows, seed: 0)
            let contribution = try await CheckpointWriter.writeRankFiles(
                makeState(rank: communicator.rank, worldSize: 2, tensors: [spec]), rank: communicator.rank, worldSize: 2,
                checkpoint: id, backend: backend)
            return await checkpointError {
                _ = try await CheckpointCommit.commit(
                    contribution, failure: nil, checkpoint: id, metadata: metadata(step: 2), backend: backend,
                    communicator: communicator)
            }?.code
        }
        #expect(errors == [.commitFailed, .commitFailed])
        #expect(try await backend.list().allSatisfy { !$0.isCommitted })
    }

    @Test func metadataOfAnotherStepIsRejected() async throws {
        let backend = InMemoryBackend()
        let group = LocalRankGroup(worldSize: 1)
        let code = try await group.run { communicator in
            let contribution = try await CheckpointWriter.writeRankFiles(
                makeState(rank: 0, worldSize: 1), rank: 0, worldSize: 1, checkpoint: CheckpointID(step: 3), backend: backend)
            return await checkpointError {
                _ = try await CheckpointCommit.commit(
                    contribution, failure: nil, checkpoint: CheckpointID(step: 3), metadata: metadata(step: 4),
                    backend: backend, communicator: communicator)
            }?.code
        }
        #expect(code == [.commitFailed])
    }
}
