import CairnCore
import CairnEmbedded
import Synchronization

/// An `InMemoryBackend` whose save of one checkpoint fails: one rank's write of one file fails (a full disk, a dead
/// node), or rank 0 dies after every write, just before the commit.
///
/// `InMemoryBackend.inject(.failWrite(number:))` counts writes from every rank together, so with several ranks
/// writing at once which rank's write fails depends on timing. This wrapper names the file instead (a rank's own
/// `ranks/rank-NNNNN.json`, which every strategy writes), so the failure hits the same rank in every run. A crash
/// before the commit uses the backend's own `inject(.crashBeforeCommit)`, armed when the checkpoint's first write
/// arrives: only rank 0 commits, so the next commit is this checkpoint's.
final class StrategyConformanceFaultyBackend: CheckpointBackend, Sendable {
    /// How the save fails.
    enum Fault: Sendable, CustomStringConvertible {
        /// The write of the file at this path throws `CheckpointError.io`.
        case failWrite(path: String)
        /// Rank 0's commit throws before it changes anything.
        case crashBeforeCommit

        var description: String {
            switch self {
            case .failWrite(let path): "a failed write of \(path)"
            case .crashBeforeCommit: "a crash of rank 0 before the commit"
            }
        }
    }

    /// The storage behind the fault.
    let storage: InMemoryBackend
    /// The checkpoint whose save breaks.
    let checkpoint: CheckpointID
    /// How it breaks.
    let fault: Fault
    private let fired = Mutex(false)

    init(storage: InMemoryBackend, fault: Fault, of checkpoint: CheckpointID) {
        self.storage = storage
        self.fault = fault
        self.checkpoint = checkpoint
    }

    /// Whether the fault has been triggered (or, for a crash, armed).
    var hasFired: Bool { fired.withLock { $0 } }

    func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws {
        if checkpoint == self.checkpoint {
            switch fault {
            case .failWrite(let path):
                if file.path == path, fireOnce() {
                    throw CheckpointError(.io, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path,
                                          "injected write failure (StrategyConformance.failedSaveIsNeverCommitted)")
                }
            case .crashBeforeCommit:
                if fireOnce() { storage.inject(.crashBeforeCommit) }
            }
        }
        try await storage.write(file, to: checkpoint)
    }

    private func fireOnce() -> Bool {
        fired.withLock { firedBefore in
            defer { firedBefore = true }
            return !firedBefore
        }
    }

    func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws {
        try await storage.commit(checkpoint, manifest: manifest)
    }

    func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer {
        try await storage.read(path, of: checkpoint, range: range)
    }

    func list() async throws -> [CheckpointListing] {
        try await storage.list()
    }

    func delete(_ checkpoint: CheckpointID) async throws {
        try await storage.delete(checkpoint)
    }
}

extension InMemoryBackend {
    /// A new backend holding only committed checkpoint `checkpoint` of this one, so several runs can resume from
    /// the same save without seeing each other's later checkpoints.
    func copying(_ checkpoint: CheckpointID) async throws -> InMemoryBackend {
        let copy = InMemoryBackend()
        for path in paths(of: checkpoint) where path != "manifest.json" && path != "COMPLETE" {
            let bytes = try await read(path, of: checkpoint, range: nil)
            try await copy.write(CheckpointFile(path: path, parts: [bytes]), to: checkpoint)
        }
        let manifest = try await read("manifest.json", of: checkpoint, range: nil)
        try await copy.commit(checkpoint, manifest: Array(manifest.bytes))
        return copy
    }

    /// The steps of the committed checkpoints, ascending.
    func committedSteps() async throws -> [Int] {
        try await list().filter(\.isCommitted).map(\.id.step)
    }
}
