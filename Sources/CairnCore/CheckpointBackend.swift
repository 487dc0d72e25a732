/// Storage for checkpoints: writes, commits, reads, lists and deletes them, and nothing else.
///
/// A backend moves bytes; it neither interprets nor hashes them (the checkpoint writer digests each file before
/// handing it over, so every backend produces the same manifest). Policy (when to save, what to keep, what to resume) lives in `CairnCheckpoint.CheckpointManager`; the
/// backend only moves bytes, so an object store can implement the same commit protocol with a marker object.
/// `CairnCheckpoint.FileSystemBackend` and `CairnEmbedded.InMemoryBackend` conform.
///
/// # Semantic requirements
/// Conforming types satisfy these laws, which `CheckpointBackendConformance` checks:
/// - **Uncommitted is invisible.** Until ``commit(_:manifest:)`` returns, ``list()`` reports the checkpoint as
///   not committed, and a reader never mistakes it for a committed one, even if the process dies mid-write.
/// - **Read returns write.** After commit, ``read(_:of:range:)`` returns exactly the bytes each rank wrote to
///   each path (and `range` selects a sub-range of them).
/// - **Durable writes.** When ``write(_:to:)`` returns, the file survives a crash of the process (fsync or
///   equivalent); ``commit(_:manifest:)`` is atomic and durable when it returns.
/// - **Idempotent delete.** Deleting a checkpoint that does not exist succeeds.
///
/// > Important: in a multi-rank save every rank calls ``write(_:to:)`` for its own files; only rank 0 calls
/// > ``commit(_:manifest:)``, after a barrier that follows every rank's last write.
public protocol CheckpointBackend: Sendable {
    /// Writes one file into the uncommitted checkpoint `checkpoint`, durably.
    /// - Throws: ``CheckpointError`` `.io` or `.unsafePath`.
    func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws

    /// Atomically makes `checkpoint` visible with `manifest` as its `manifest.json`, then marks it complete.
    /// - Throws: ``CheckpointError`` `.io` or `.commitFailed`.
    func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws

    /// Reads `range` (or all) of the file at `path` inside `checkpoint`, committed or not.
    /// - Throws: ``CheckpointError`` `.notFound`, `.unsafePath`, `.io`.
    func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer

    /// Every checkpoint the backend holds, committed or not, in ascending step order.
    func list() async throws -> [CheckpointListing]

    /// Deletes `checkpoint`, committed or not; a missing checkpoint is not an error.
    func delete(_ checkpoint: CheckpointID) async throws
}

/// Names one checkpoint: `checkpoint-<step>`.
public struct CheckpointID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The global step the checkpoint was saved after.
    public var step: Int

    /// Creates an id.
    public init(step: Int) {
        self.step = step
    }

    /// The folder or object prefix name, `checkpoint-<step>`.
    public var name: String { "checkpoint-\(step)" }

    /// Parses `checkpoint-<step>`; `nil` for any other name.
    public init?(name: String) {
        guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)), step >= 0,
            String(step) == name.dropFirst("checkpoint-".count)
        else { return nil }
        self.step = step
    }

    public static func < (lhs: CheckpointID, rhs: CheckpointID) -> Bool { lhs.step < rhs.step }

    public var description: String { name }
}

/// One file to write: a relative path and the byte runs that, concatenated, are its contents.
///
/// Runs are separate so a safetensors file is written straight from its header and each tensor's storage.
public struct CheckpointFile: Sendable {
    /// The path inside the checkpoint, `/`-separated, such as `model/model.safetensors`.
    public var path: String
    /// The contents, in order.
    public var parts: [HostBuffer]

    /// Creates a file.
    public init(path: String, parts: [HostBuffer]) {
        self.path = path
        self.parts = parts
    }

    /// The total size in bytes.
    public var byteCount: Int { parts.reduce(0) { $0 + $1.byteCount } }
}

/// One file of a checkpoint as the manifest lists it.
public struct CheckpointFileRecord: Hashable, Sendable, Codable {
    /// The path inside the checkpoint.
    public var path: String
    /// The size in bytes.
    public var byteCount: Int
    /// The XXH3-128 digest as 32 lowercase hex digits.
    public var digest: String

    /// Creates a record.
    public init(path: String, byteCount: Int, digest: String) {
        self.path = path
        self.byteCount = byteCount
        self.digest = digest
    }
}

/// A checkpoint as a backend sees it.
public struct CheckpointListing: Hashable, Sendable {
    /// The checkpoint.
    public var id: CheckpointID
    /// Whether it was committed (its marker exists).
    public var isCommitted: Bool
    /// When it was committed or last written, in seconds since 1970.
    public var savedAt: Double
    /// Where it lives, for messages (a folder path or an object prefix).
    public var location: String

    /// Creates a listing.
    public init(id: CheckpointID, isCommitted: Bool, savedAt: Double, location: String) {
        self.id = id
        self.isCommitted = isCommitted
        self.savedAt = savedAt
        self.location = location
    }
}
