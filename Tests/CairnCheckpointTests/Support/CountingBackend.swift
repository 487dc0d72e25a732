import CairnCore
import Synchronization

/// A backend that forwards to another and counts what is read, to prove reads touch only what they need.
final class CountingBackend: CheckpointBackend, Sendable {
    let base: any CheckpointBackend
    private let reads = Mutex<[(path: String, range: Range<Int>?, bytes: Int)]>([])
    private let requested = Mutex<[String]>([])

    init(_ base: any CheckpointBackend) {
        self.base = base
    }

    /// Every read since the last reset.
    var log: [(path: String, range: Range<Int>?, bytes: Int)] { reads.withLock { $0 } }

    /// The bytes read from files whose path satisfies `filter`.
    func bytesRead(where filter: (String) -> Bool = { _ in true }) -> Int {
        log.filter { filter($0.path) }.reduce(0) { $0 + $1.bytes }
    }

    /// Every path a read was asked for, successful or not.
    var requestedPaths: [String] { requested.withLock { $0 } }

    func reset() {
        reads.withLock { $0 = [] }
        requested.withLock { $0 = [] }
    }

    func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws {
        try await base.write(file, to: checkpoint)
    }

    func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws {
        try await base.commit(checkpoint, manifest: manifest)
    }

    func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer {
        requested.withLock { $0.append(path) }
        let buffer = try await base.read(path, of: checkpoint, range: range)
        reads.withLock { $0.append((path, range, buffer.byteCount)) }
        return buffer
    }

    func list() async throws -> [CheckpointListing] { try await base.list() }

    func delete(_ checkpoint: CheckpointID) async throws { try await base.delete(checkpoint) }
}
