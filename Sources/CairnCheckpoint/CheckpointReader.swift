public import CairnCore
import CairnSafetensors

/// Reads a committed checkpoint: its manifest, and for a fresh set of components exactly the pieces they need
/// under the current strategy and world size (DESIGN.md §7, resharding).
///
/// Every piece of every tensor is a run of the tensor's row-major elements, so resharding is an intersection of
/// element ranges: a rank that needs rows 100..<200 of a tensor saved as four 64-row pieces reads the overlapping
/// parts of pieces 1–3 and nothing else.
///
/// ```swift
/// let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 40))
/// let loaded = try await reader.read(into: registry.stateDict(), rank: rank, worldSize: worldSize)
/// try registry.load(loaded)
/// ```
public struct CheckpointReader: Sendable {
    /// How much a read checks of the bytes it loads.
    public enum Verification: Sendable, Hashable {
        /// Every saved piece a read touches is read whole and checked against its XXH3-128 digest, so a flipped
        /// byte is an error, never a loaded value. A resharded read of part of a piece reads the rest of it too.
        case wholePieces
        /// Only the overlapping bytes are read and nothing is digested: for callers that ran
        /// ``CheckpointVerifier/verify(backend:checkpoint:)`` on this checkpoint first.
        case exactRanges
    }

    /// The backend the checkpoint lives in.
    public let backend: any CheckpointBackend
    /// The checkpoint.
    public let checkpoint: CheckpointID
    /// The validated manifest.
    public let manifest: CheckpointManifest

    /// Opens a committed checkpoint: reads and strictly validates its manifest.
    /// - Throws: ``CheckpointError`` `.notFound` (no such checkpoint), `.notCommitted` (only an uncommitted copy
    ///   exists), `.malformed`, `.corrupt` or `.unsafePath` (the manifest), `.incompatible` (another format
    ///   version), `.io`.
    public init(backend: any CheckpointBackend, checkpoint: CheckpointID) async throws {
        self.backend = backend
        self.checkpoint = checkpoint
        let listings = try await backend.list().filter { $0.id == checkpoint }
        guard !listings.isEmpty else {
            throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, "no such checkpoint")
        }
        guard listings.contains(where: \.isCommitted) else {
            throw CheckpointError(
                .notCommitted, checkpoint: checkpoint.name, step: checkpoint.step,
                "the checkpoint was never committed (a save was interrupted); it cannot be resumed from")
        }
        do {
            let bytes = try await backend.read(CheckpointPath.manifest, of: checkpoint, range: nil)
            guard bytes.byteCount <= CheckpointManifest.maximumByteCount else {
                throw CheckpointError(.malformed, file: CheckpointPath.manifest, "the manifest is larger than 100 MB")
            }
            manifest = try CheckpointManifest(json: bytes.byteArray())
        } catch {
            throw Self.located(error, checkpoint)
        }
        guard manifest.globalStep == checkpoint.step else {
            throw CheckpointError(.malformed, checkpoint: checkpoint.name, step: checkpoint.step, file: CheckpointPath.manifest,
                                  "the manifest says global_step \(manifest.globalStep)")
        }
    }

    // MARK: - Files

    /// The whole file at `path`, checked against the manifest's size and digest (for `trainer_state.json`,
    /// `model/config.json` and other extra files).
    /// - Throws: ``CheckpointError`` `.notFound` (not listed), `.corrupt` (size or digest differs), `.io`.
    public func readFile(_ path: String) async throws -> HostBuffer {
        guard let record = manifest.file(path) else {
            throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, file: path,
                                  "the manifest lists no such file")
        }
        do {
            let buffer = try await backend.read(path, of: checkpoint, range: nil)
            guard buffer.byteCount == record.byteCount else {
                throw CheckpointError(.corrupt, file: path, "the file has \(buffer.byteCount) bytes, the manifest records \(record.byteCount)")
            }
            let digest = buffer.digest()
            guard digest == record.digest else {
                throw CheckpointError(.corrupt, file: path, "the file's XXH3-128 is \(digest), the manifest records \(record.digest)")
            }
            return buffer
        } catch {
            throw Self.located(error, checkpoint)
        }
    }

    /// The non-tensor values saved by `rank` (0 ..< manifest.worldSize).
    /// - Throws: ``CheckpointError`` as ``readFile(_:)``, or `.malformed`.
    public func rankState(rank: Int) async throws -> StateDict {
        guard (0..<manifest.worldSize).contains(rank) else {
            throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, rank: rank,
                                  "the checkpoint was saved by \(manifest.worldSize) ranks")
        }
        let path = CheckpointPath.rankState(rank: rank)
        let bytes = try await readFile(path)
        do {
            return try RankStateFile.decode(bytes.byteArray(), file: path, rank: rank, worldSize: manifest.worldSize)
        } catch {
            throw Self.located(error, checkpoint)
        }
    }

    // MARK: - Reading state

    /// Reads, for every key of `target` (the fresh components' state dict: its tensor layouts say which piece
    /// this rank needs under the current strategy and world size), exactly the saved pieces that overlap that
    /// piece, and every scalar (from this rank's file when the saved world size equals `worldSize`, else rank
    /// 0's).
    ///
    /// - Returns: a dict with the same keys and layouts as `target`, in fresh buffers.
    /// - Throws: ``CheckpointError`` naming the key: `.incompatible` (a key missing on either side under
    ///   `.strict`, a dtype or global-shape mismatch, a scalar of another type), `.malformed` (saved pieces that
    ///   do not cover the needed range, a file whose header disagrees with the manifest), `.corrupt` (a digest
    ///   or size mismatch), `.io`.
    public func read(
        into target: StateDict, rank: Int, worldSize: Int, options: LoadOptions = .strict,
        verification: Verification = .wholePieces
    ) async throws -> StateDict {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "CheckpointReader: rank \(rank) of \(worldSize)")
        let scalars = try await rankState(rank: manifest.worldSize == worldSize ? rank : 0)
        try checkKeys(target, scalars: scalars, options: options)
        var plan = TensorReadPlan(reader: self, verification: verification)
        for (key, value) in target.entries {
            guard let tensor = value.tensor, let saved = manifest.tensors[key] else { continue }
            do {
                try await plan.add(key, saved: saved, layout: tensor.layout)
            } catch {
                throw Self.located(error, checkpoint, key: key, rank: rank)
            }
        }
        let buffers: [StateKey: HostBuffer]
        do {
            buffers = try await plan.execute()
        } catch {
            throw Self.located(error, checkpoint, rank: rank)
        }
        var result = StateDict()
        for (key, value) in target.entries {
            if let tensor = value.tensor {
                guard let buffer = buffers[key] else { continue }
                result[key] = .tensor(StateTensor(layout: tensor.layout, buffer: buffer))
            } else if let saved = scalars[key] {
                guard saved.isTensor == false, Self.sameKind(saved, value) else {
                    throw CheckpointError(.incompatible, checkpoint: checkpoint.name, step: checkpoint.step, rank: rank, key: key,
                                          "saved as \(saved.kindName), expected \(value.kindName)")
                }
                result[key] = saved
            }
        }
        return result
    }

    // MARK: - Private helpers

    private func checkKeys(_ target: StateDict, scalars: StateDict, options: LoadOptions) throws(CheckpointError) {
        func failure(_ key: StateKey, _ message: String) -> CheckpointError {
            CheckpointError(.incompatible, checkpoint: checkpoint.name, step: checkpoint.step, key: key, message)
        }
        for (key, value) in target.entries {
            let savedAsTensor = manifest.tensors[key] != nil
            let savedAsScalar = scalars[key] != nil
            if value.isTensor && savedAsScalar { throw failure(key, "saved as a \(scalars[key]!.kindName), expected a tensor") }
            if !value.isTensor && savedAsTensor { throw failure(key, "saved as a tensor, expected \(value.kindName)") }
            if !savedAsTensor && !savedAsScalar && !options.contains(.allowMissingKeys) {
                throw failure(key, "the checkpoint has no value for this key")
            }
        }
        guard !options.contains(.allowUnexpectedKeys) else { return }
        let saved = Set(manifest.tensors.keys).union(scalars.keys)
        if let extra = saved.subtracting(target.keys).min() {
            throw failure(extra, "the checkpoint has a value for this key, but no component expects it")
        }
    }

    private static func sameKind(_ lhs: StateValue, _ rhs: StateValue) -> Bool {
        switch (lhs, rhs) {
        case (.int, .int), (.ints, .ints), (.double, .double), (.string, .string), (.bool, .bool), (.tensor, .tensor): true
        default: false
        }
    }

    static func located(
        _ error: any Error, _ checkpoint: CheckpointID, key: StateKey? = nil, rank: Int? = nil
    ) -> any Error {
        guard var located = error as? CheckpointError else { return error }
        if located.checkpoint == nil { located.checkpoint = checkpoint.name }
        if located.step == nil { located.step = checkpoint.step }
        if located.key == nil { located.key = key }
        if located.rank == nil { located.rank = rank }
        return located
    }
}
