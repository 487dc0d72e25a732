import CairnConformance
import CairnCore
import Foundation
import Testing

@testable import CairnCheckpoint

@Suite struct FileSystemBackendTests {
    @Test func fileSystemBackendSatisfiesTheLaws() async throws {
        let folder = try TemporaryFolder()
        var count = 0
        await CheckpointBackendConformance.verify {
            count += 1
            return FileSystemBackend(root: "\(folder.path)/backend-\(count)")
        }
    }

    @Test func fileSystemBackendWithoutMappingSatisfiesTheLaws() async throws {
        let folder = try TemporaryFolder()
        var count = 0
        await CheckpointBackendConformance.verify(laws: [.readReturnsWrite]) {
            count += 1
            var backend = FileSystemBackend(root: "\(folder.path)/plain-\(count)")
            backend.mappingThreshold = .max
            return backend
        }
    }

    @Test func theKitCatchesABackendThatShowsUncommittedCheckpoints() async throws {
        let folder = try TemporaryFolder()
        let failures = await CheckpointBackendConformance.check(laws: [.uncommittedIsInvisible, .tornWriteNeverResumed]) {
            LeakyBackend(base: FileSystemBackend(root: folder.path + "/leaky"))
        }
        #expect(Set(failures.map(\.law)) == [.uncommittedIsInvisible, .tornWriteNeverResumed])
    }

    @Test func unsafePathsAreRejectedForWritesAndReads() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path + "/root")
        let id = CheckpointID(step: 1)
        for path in ["../x", "/etc/passwd", "a/../../x", "a//b", "./a", "a\\b", "a\u{0}b", "", "a/", "manifest.json", "COMPLETE"] {
            let writeError = await checkpointError {
                try await backend.write(CheckpointFile(path: path, parts: [HostBuffer(copying: [UInt8(1)])]), to: id)
            }
            #expect(writeError?.code == .unsafePath, "write \(path.debugDescription)")
            if path != "manifest.json" && path != "COMPLETE" {
                let readError = await checkpointError { _ = try await backend.read(path, of: id, range: nil) }
                #expect(readError?.code == .unsafePath, "read \(path.debugDescription)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/x"))
        #expect(try await backend.list().isEmpty)
    }

    @Test func listingReportsFoldersAndIgnoresEverythingElse() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let manager = FileManager.default
        for name in ["checkpoint-3", "checkpoint-10.tmp", "checkpoint-x", "checkpoint-007", "notes", "checkpoint-5.old"] {
            try manager.createDirectory(atPath: folder.path + "/" + name, withIntermediateDirectories: true)
        }
        manager.createFile(atPath: folder.path + "/checkpoint-3/COMPLETE", contents: Data())
        manager.createFile(atPath: folder.path + "/checkpoint-12", contents: Data())  // a file, not a folder
        let listings = try await backend.list()
        #expect(listings.map(\.id.step) == [3, 10])
        #expect(listings.map(\.isCommitted) == [true, false])
        #expect(try await FileSystemBackend(root: folder.path + "/missing").list().isEmpty)
    }

    @Test func savedAtIsTheCommitMarkersTime() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 1, backend: backend)
        try await Task.sleep(for: .milliseconds(20))
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 2, backend: backend)
        let listings = try await backend.list()
        let marker = try FileManager.default.attributesOfItem(atPath: folder.path + "/checkpoint-2/COMPLETE")
        let markerTime = try #require(marker[.modificationDate] as? Date).timeIntervalSince1970
        #expect(abs(listings[1].savedAt - markerTime) < 0.01)
        #expect(listings[0].savedAt < listings[1].savedAt)
    }

    @Test func largeReadsAreMappedAndSmallOnesCopied() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let id = CheckpointID(step: 1)
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await backend.write(CheckpointFile(path: "big.bin", parts: [HostBuffer(copying: bytes)]), to: id)
        for range in [0..<(3 << 20), 4095..<(2 << 20) + 3, 100..<200] {
            let read = try await backend.read("big.bin", of: id, range: range)
            #expect(read.byteArray() == Array(bytes[range]))
        }
        let mapped = try await backend.read("big.bin", of: id, range: 4095..<(2 << 20))
        mapped.mutableBytes[0] ^= 0xFF  // copy-on-write: the file does not change
        #expect(try await backend.read("big.bin", of: id, range: 4095..<4096).byteArray() == [bytes[4095]])
        let error = await checkpointError { _ = try await backend.read("big.bin", of: id, range: 0..<(3 << 20) + 1) }
        #expect(error?.code == .corrupt)
    }

    @Test func deleteRemovesTheMarkerFirstAndEveryFolderOfTheStep() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 4, backend: backend)
        try await backend.write(CheckpointFile(path: "a.bin", parts: []), to: CheckpointID(step: 4))
        try FileManager.default.createDirectory(atPath: folder.path + "/checkpoint-4.old", withIntermediateDirectories: true)
        try await backend.delete(CheckpointID(step: 4))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func discardingTheUncommittedCopyKeepsTheCommittedOne() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 2, backend: backend)
        try await backend.write(CheckpointFile(path: "stray.bin", parts: []), to: CheckpointID(step: 2))
        try await backend.discardUncommitted(CheckpointID(step: 2))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["checkpoint-2"])
        #expect(try await backend.list().map(\.isCommitted) == [true])
    }
}

/// A broken backend for the kit's own test: it reports every checkpoint as committed.
private struct LeakyBackend: CheckpointBackend {
    let base: FileSystemBackend

    func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws { try await base.write(file, to: checkpoint) }
    func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws { try await base.commit(checkpoint, manifest: manifest) }
    func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer {
        try await base.read(path, of: checkpoint, range: range)
    }
    func list() async throws -> [CheckpointListing] {
        try await base.list().map { CheckpointListing(id: $0.id, isCommitted: true, savedAt: $0.savedAt, location: $0.location) }
    }
    func delete(_ checkpoint: CheckpointID) async throws { try await base.delete(checkpoint) }
}

@Test func readsNeverFollowSymbolicLinksOutOfTheCheckpoint() async throws {
    let folder = try TemporaryFolder()
    let backend = FileSystemBackend(root: folder.path + "/root")
    try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 1, step: 1, backend: backend)
    let outside = folder.path + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: outside + "/secret.bin", contents: Data([1, 2, 3]))
    let checkpoint = folder.path + "/root/checkpoint-1"
    try FileManager.default.createSymbolicLink(atPath: checkpoint + "/linked", withDestinationPath: outside)
    try FileManager.default.createSymbolicLink(atPath: checkpoint + "/secret.bin", withDestinationPath: outside + "/secret.bin")
    for path in ["linked/secret.bin", "secret.bin"] {
        let error = await checkpointError { _ = try await backend.read(path, of: CheckpointID(step: 1), range: nil) }
        #expect(error?.code == .unsafePath, "\(path): \(String(describing: error))")
    }
    // A checkpoint folder that is itself a link is not a checkpoint.
    try FileManager.default.createSymbolicLink(atPath: folder.path + "/root/checkpoint-2", withDestinationPath: checkpoint)
    #expect(try await backend.list().map(\.id.step) == [1])
    #expect(await checkpointError { _ = try await backend.read("manifest.json", of: CheckpointID(step: 2), range: nil) }?.code == .notFound)
}
