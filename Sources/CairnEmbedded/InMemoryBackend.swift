public import CairnCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checkpoints held in memory, with the file-system backend's semantics and hooks that inject failures.
///
/// Uncommitted checkpoints are invisible to committed listings; ``commit(_:manifest:)`` moves a checkpoint's
/// files, its manifest and the `COMPLETE` marker into the committed set in one step under a lock, so a reader
/// sees all of it or none; deleting is idempotent. Written bytes are copied, so callers may reuse their
/// buffers as soon as a write returns. For tests of the commit protocol, ``inject(_:)`` makes a later write
/// fail or tear, or a commit "crash" before it takes effect.
///
/// ```swift
/// let backend = InMemoryBackend()
/// backend.inject(.failWrite(number: 2))          // the second write from now throws
/// ```
public final class InMemoryBackend: CheckpointBackend, Sendable {
    /// A failure to inject.
    public enum Fault: Sendable, Hashable {
        /// The `number`-th write from now (1 = the next) throws ``CheckpointError`` `.io` and stores nothing.
        case failWrite(number: Int)
        /// The `number`-th write from now stores only the first half of the file's bytes, then throws `.io`: a
        /// process that died mid-write.
        case tearWrite(number: Int)
        /// The next commit throws `.io` before it changes anything: a process that died before committing.
        case crashBeforeCommit
    }

    private struct Folder {
        var files: [String: HostBuffer] = [:]
        var savedAt: Double = 0
    }

    private struct Store {
        var uncommitted: [CheckpointID: Folder] = [:]
        var committed: [CheckpointID: Folder] = [:]
        var faults: [Fault] = []
        var writesSinceInjection = 0
        var lastTime: Double = 0
        var bytesWritten = 0
        var writeCount = 0
    }

    private let store = Mutex(Store())

    /// Creates an empty backend.
    public init() {}

    // MARK: - Fault injection

    /// Arms `fault`; write-counting faults count from this call.
    public func inject(_ fault: Fault) {
        store.withLock { store in
            store.faults.append(fault)
            store.writesSinceInjection = 0
        }
    }

    /// Disarms every injected fault.
    public func clearFaults() {
        store.withLock { $0.faults = [] }
    }

    // MARK: - Introspection

    /// The number of writes that stored a file, since creation.
    public var writeCount: Int { store.withLock { $0.writeCount } }

    /// The number of bytes written, since creation.
    public var bytesWritten: Int { store.withLock { $0.bytesWritten } }

    /// The paths held for `checkpoint` (committed if it is, else uncommitted), sorted.
    public func paths(of checkpoint: CheckpointID) -> [String] {
        store.withLock { store in
            (store.committed[checkpoint] ?? store.uncommitted[checkpoint])?.files.keys.sorted() ?? []
        }
    }

    /// Replaces the bytes of a committed file, as damage on disk would: for corruption tests.
    public func overwrite(_ path: String, of checkpoint: CheckpointID, with bytes: [UInt8]) {
        store.withLock { store in
            if store.committed[checkpoint] != nil {
                store.committed[checkpoint]!.files[path] = HostBuffer(copying: bytes)
            } else {
                store.uncommitted[checkpoint]?.files[path] = HostBuffer(copying: bytes)
            }
        }
    }

    // MARK: - CheckpointBackend

    public func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws {
        if let problem = Self.pathProblem(file.path) {
            throw CheckpointError(.unsafePath, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path, problem)
        }
        guard file.path != "manifest.json", file.path != "COMPLETE" else {
            throw CheckpointError(.unsafePath, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path,
                                  "the name is reserved for the commit")
        }
        let contents = HostBuffer(uninitializedByteCount: file.byteCount)
        var offset = 0
        for part in file.parts where part.byteCount > 0 {
            (contents.baseAddress + offset).copyMemory(from: part.baseAddress, byteCount: part.byteCount)
            offset += part.byteCount
        }
        try store.withLock { (store: inout Store) throws(CheckpointError) in
            store.writesSinceInjection += 1
            let number = store.writesSinceInjection
            let now = Self.tick(&store)
            if let index = store.faults.firstIndex(of: .failWrite(number: number)) {
                store.faults.remove(at: index)
                throw CheckpointError(.io, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path,
                                      "injected write failure")
            }
            var stored = contents
            let tearIndex = store.faults.firstIndex(of: .tearWrite(number: number))
            if let tearIndex { store.faults.remove(at: tearIndex) }
            let tears = tearIndex != nil
            if tears {
                stored = withExtendedLifetime(contents) {
                    HostBuffer(copying: UnsafeRawBufferPointer(rebasing: contents.bytes[0..<contents.byteCount / 2]))
                }
            }
            store.uncommitted[checkpoint, default: Folder()].files[file.path] = stored
            store.uncommitted[checkpoint]!.savedAt = now
            store.writeCount += 1
            store.bytesWritten += stored.byteCount
            if tears {
                throw CheckpointError(.io, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path,
                                      "injected torn write")
            }
        }
    }

    public func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws {
        try store.withLock { (store: inout Store) throws(CheckpointError) in
            if let index = store.faults.firstIndex(of: .crashBeforeCommit) {
                store.faults.remove(at: index)
                throw CheckpointError(.io, checkpoint: checkpoint.name, step: checkpoint.step, "injected crash before commit")
            }
            guard var folder = store.uncommitted.removeValue(forKey: checkpoint) else {
                throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step,
                                      "nothing was written for this checkpoint")
            }
            folder.files["manifest.json"] = HostBuffer(copying: manifest)
            folder.files["COMPLETE"] = HostBuffer(uninitializedByteCount: 0)
            folder.savedAt = Self.tick(&store)
            store.committed[checkpoint] = folder
        }
    }

    public func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer {
        if let problem = Self.pathProblem(path) {
            throw CheckpointError(.unsafePath, checkpoint: checkpoint.name, step: checkpoint.step, file: path, problem)
        }
        let contents: HostBuffer = try store.withLock { (store: inout Store) throws(CheckpointError) in
            guard let folder = store.committed[checkpoint] ?? store.uncommitted[checkpoint] else {
                throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, "no such checkpoint")
            }
            guard let contents = folder.files[path] else {
                throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, file: path, "no such file")
            }
            return contents
        }
        let wanted = range ?? 0..<contents.byteCount
        guard wanted.lowerBound >= 0, wanted.upperBound <= contents.byteCount else {
            throw CheckpointError(.corrupt, checkpoint: checkpoint.name, step: checkpoint.step, file: path,
                                  "bytes \(wanted.lowerBound)..<\(wanted.upperBound) were requested but the file has \(contents.byteCount)")
        }
        return withExtendedLifetime(contents) { HostBuffer(copying: UnsafeRawBufferPointer(rebasing: contents.bytes[wanted])) }
    }

    public func list() async throws -> [CheckpointListing] {
        store.withLock { store in
            let committed = store.committed.map { id, folder in
                CheckpointListing(id: id, isCommitted: true, savedAt: folder.savedAt, location: "memory:\(id.name)")
            }
            let uncommitted = store.uncommitted.map { id, folder in
                CheckpointListing(id: id, isCommitted: false, savedAt: folder.savedAt, location: "memory:\(id.name).tmp")
            }
            return (committed + uncommitted).sorted { ($0.id.step, $0.isCommitted ? 0 : 1) < ($1.id.step, $1.isCommitted ? 0 : 1) }
        }
    }

    public func delete(_ checkpoint: CheckpointID) async throws {
        store.withLock { store in
            store.committed[checkpoint] = nil
            store.uncommitted[checkpoint] = nil
        }
    }

    /// Deletes the uncommitted copy of `checkpoint`, if any, and leaves a committed one alone.
    public func discardUncommitted(_ checkpoint: CheckpointID) async throws {
        store.withLock { store in store.uncommitted[checkpoint] = nil }
    }

    // MARK: - Private helpers

    /// A strictly increasing wall-clock time, so save times order commits even within one clock tick.
    private static func tick(_ store: inout Store) -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        store.lastTime = max(Double(now.tv_sec) + Double(now.tv_nsec) / 1e9, store.lastTime + 1e-6)
        return store.lastTime
    }

    /// The same rules as the file-system backend: relative, `/`-separated, no empty, `.` or `..` component, no
    /// backslash or NUL.
    private static func pathProblem(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return "the path is empty" }
        if bytes.contains(0) || bytes.contains(UInt8(ascii: "\\")) { return "the path contains a NUL or a backslash" }
        if bytes.first == UInt8(ascii: "/") { return "the path is absolute" }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        where component.isEmpty || component.elementsEqual([0x2E]) || component.elementsEqual([0x2E, 0x2E]) {
            return "the path has an empty, '.' or '..' component"
        }
        return nil
    }
}
