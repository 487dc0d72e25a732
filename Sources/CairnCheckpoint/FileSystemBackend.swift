public import CairnCore
import SystemPackage

/// Checkpoints as folders on a local or network file system: `<root>/checkpoint-<step>/`.
///
/// Ranks write into `checkpoint-<step>.tmp/` (several processes may write into it at once); every file is
/// fsync'ed when ``write(_:to:)`` returns. ``commit(_:manifest:)`` writes `manifest.json`, fsyncs every folder
/// of the tree, renames the folder to `checkpoint-<step>` (moving an existing folder of that name aside and
/// deleting it only after the rename), fsyncs the parent, then creates `COMPLETE` and fsyncs it: a folder
/// without `COMPLETE` — a crash at any point — is never reported as committed.
///
/// Reads of at least ``mappingThreshold`` bytes map the file copy-on-write instead of copying it (see
/// `MappedFileRegion`); smaller ones use `pread`. Paths are checked (``CheckpointPath/validate(_:checkpoint:)``)
/// and reads follow no symbolic link inside a checkpoint folder (nor a checkpoint folder that is one), so
/// nothing outside `<root>` is ever read or written.
///
/// ```swift
/// let backend = FileSystemBackend(root: "outputs/run1")
/// for listing in try await backend.list() where listing.isCommitted { print(listing.id) }
/// ```
public struct FileSystemBackend: CheckpointBackend {
    /// Where a commit stops when a test simulates a crash (`nil` in normal use).
    enum CommitStage: Sendable, Hashable {
        /// After the manifest is written into the `.tmp` folder, before the rename.
        case beforeRename
        /// After the rename, before `COMPLETE` exists.
        case beforeMarker
    }

    /// The output folder that holds the checkpoint folders.
    public let root: String
    /// Reads of at least this many bytes map the file; smaller reads copy it.
    public var mappingThreshold = 1 << 20
    /// Whether writes hand each 32 MiB to the disk as soon as it is copied (Linux `sync_file_range`), so the
    /// disk works while the rest of the file is written; the file is fsync'ed at the end either way.
    public var startsWritebackEarly = true
    /// A simulated crash for tests: the commit throws at this stage, leaving the folders as a crash would.
    var simulatedCrash: CommitStage?

    /// Creates a backend over `root` (created on the first write).
    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    // MARK: - Folders

    /// The folder of the committed checkpoint `id`.
    public func committedFolder(_ id: CheckpointID) -> String { root + "/" + id.name }

    /// The folder ranks write `id` into before it is committed.
    public func uncommittedFolder(_ id: CheckpointID) -> String { root + "/" + id.name + ".tmp" }

    /// Where a commit moves a previous folder of the same name until the new one is in place.
    func replacedFolder(_ id: CheckpointID) -> String { root + "/" + id.name + ".old" }

    // MARK: - CheckpointBackend

    public func write(_ file: CheckpointFile, to checkpoint: CheckpointID) async throws {
        try CheckpointPath.validate(file.path, checkpoint: checkpoint)
        guard !CheckpointPath.reserved.contains(file.path) else {
            throw CheckpointError(
                .unsafePath, checkpoint: checkpoint.name, step: checkpoint.step, file: file.path,
                "the name is reserved for the commit")
        }
        let path = uncommittedFolder(checkpoint) + "/" + file.path
        do {
            try FileSystemOperations.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))
            try FileSystemOperations.writeDurably(file.parts, to: path, startsWritebackEarly: startsWritebackEarly)
        } catch {
            throw located(error, checkpoint)
        }
    }

    public func commit(_ checkpoint: CheckpointID, manifest: [UInt8]) async throws {
        let staging = uncommittedFolder(checkpoint)
        let final = committedFolder(checkpoint)
        let aside = replacedFolder(checkpoint)
        do {
            guard try FileSystemOperations.kind(of: staging).kind == .directory else {
                throw CheckpointError(.notFound, file: staging, "nothing was written for this checkpoint")
            }
            try FileSystemOperations.writeDurably([HostBuffer(copying: manifest)], to: staging + "/" + CheckpointPath.manifest)
            try FileSystemOperations.syncTree(staging)
            if simulatedCrash == .beforeRename { throw simulatedCrashError(checkpoint) }
            try FileSystemOperations.removeTree(aside)
            let replacing = try FileSystemOperations.kind(of: final).kind != .missing
            if replacing { try FileSystemOperations.rename(final, to: aside) }
            try FileSystemOperations.rename(staging, to: final)
            try FileSystemOperations.syncDirectory(root)
            if simulatedCrash == .beforeMarker { throw simulatedCrashError(checkpoint) }
            try FileSystemOperations.writeDurably([], to: final + "/" + CheckpointPath.completeMarker)
            try FileSystemOperations.syncDirectory(final)
            if replacing {
                try FileSystemOperations.removeTree(aside)
                try FileSystemOperations.syncDirectory(root)
            }
        } catch {
            throw located(error, checkpoint, code: .commitFailed)
        }
    }

    public func read(_ path: String, of checkpoint: CheckpointID, range: Range<Int>?) async throws -> HostBuffer {
        try CheckpointPath.validate(path, checkpoint: checkpoint)
        do {
            let folder = try readableFolder(checkpoint)
            let full = folder + "/" + path
            let (descriptor, size) = try FileSystemOperations.openForReading(path, inside: folder)
            defer { _ = try? descriptor.close() }
            let wanted = range ?? 0..<size
            guard wanted.lowerBound >= 0, wanted.upperBound <= size else {
                throw CheckpointError(
                    .corrupt, file: path,
                    "bytes \(wanted.lowerBound)..<\(wanted.upperBound) were requested but the file has \(size)")
            }
            if wanted.count >= mappingThreshold, let region = try MappedFileRegion.map(descriptor, range: wanted, path: full) {
                return region.buffer()
            }
            let buffer = HostBuffer(uninitializedByteCount: wanted.count)
            try FileSystemOperations.readAll(descriptor, at: wanted.lowerBound, into: buffer.mutableBytes, path: full)
            return buffer
        } catch {
            throw located(error, checkpoint)
        }
    }

    public func list() async throws -> [CheckpointListing] {
        guard let names = try FileSystemOperations.entries(of: root) else { return [] }
        var listings: [CheckpointListing] = []
        for name in names {
            let isStaging = name.hasSuffix(".tmp")
            guard let id = CheckpointID(name: isStaging ? String(name.dropLast(4)) : name) else { continue }
            let folder = root + "/" + name
            let (kind, folderTime) = try FileSystemOperations.kind(of: folder)
            guard kind == .directory else { continue }
            if isStaging {
                listings.append(CheckpointListing(id: id, isCommitted: false, savedAt: folderTime, location: folder))
            } else {
                let (markerKind, markerTime) = try FileSystemOperations.kind(of: folder + "/" + CheckpointPath.completeMarker)
                let isCommitted = markerKind == .regularFile
                listings.append(
                    CheckpointListing(
                        id: id, isCommitted: isCommitted, savedAt: isCommitted ? markerTime : folderTime,
                        location: folder))
            }
        }
        return listings.sorted { ($0.id.step, $0.isCommitted ? 0 : 1) < ($1.id.step, $1.isCommitted ? 0 : 1) }
    }

    public func delete(_ checkpoint: CheckpointID) async throws {
        do {
            // The marker goes first, so a deletion cut short never leaves a folder that looks committed.
            try FileSystemOperations.removeTree(committedFolder(checkpoint) + "/" + CheckpointPath.completeMarker)
            if try FileSystemOperations.kind(of: committedFolder(checkpoint)).kind == .directory {
                try FileSystemOperations.syncDirectory(committedFolder(checkpoint))
            }
            for folder in [committedFolder(checkpoint), uncommittedFolder(checkpoint), replacedFolder(checkpoint)] {
                try FileSystemOperations.removeTree(folder)
            }
        } catch {
            throw located(error, checkpoint)
        }
    }

    /// Deletes the uncommitted `.tmp` folder of `checkpoint`, if any, and leaves a committed one alone: what a
    /// save does before its ranks start writing, so files of a crashed earlier attempt never mix in.
    /// - Throws: ``CheckpointError`` `.io`.
    public func discardUncommitted(_ checkpoint: CheckpointID) async throws {
        do {
            try FileSystemOperations.removeTree(uncommittedFolder(checkpoint))
        } catch {
            throw located(error, checkpoint)
        }
    }

    // MARK: - Private helpers

    /// The committed folder when it exists, else the uncommitted one.
    private func readableFolder(_ checkpoint: CheckpointID) throws(CheckpointError) -> String {
        if try FileSystemOperations.kind(of: committedFolder(checkpoint)).kind == .directory {
            return committedFolder(checkpoint)
        }
        if try FileSystemOperations.kind(of: uncommittedFolder(checkpoint)).kind == .directory {
            return uncommittedFolder(checkpoint)
        }
        throw CheckpointError(.notFound, file: committedFolder(checkpoint), "no such checkpoint folder")
    }

    private func simulatedCrashError(_ checkpoint: CheckpointID) -> CheckpointError {
        CheckpointError(.io, checkpoint: checkpoint.name, step: checkpoint.step, "simulated crash during commit")
    }

    /// `error` with the checkpoint filled in; other errors wrapped as `code`.
    private func located(_ error: any Error, _ checkpoint: CheckpointID, code: CheckpointError.Code = .io) -> CheckpointError {
        guard var located = error as? CheckpointError else {
            return CheckpointError(code, checkpoint: root + "/" + checkpoint.name, step: checkpoint.step, "\(error)", cause: error)
        }
        if located.checkpoint == nil { located.checkpoint = root + "/" + checkpoint.name }
        if located.step == nil { located.step = checkpoint.step }
        return located
    }
}
