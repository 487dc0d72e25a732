public import CairnCore
public import CairnJSON

/// The `manifest.json` of a committed checkpoint: what was saved, by whom, and every file with its size and
/// XXH3-128 digest (DESIGN.md §7).
///
/// Rank 0 writes it last, through the backend's commit. Its last member, `manifest_xxh3_128`, is the digest of
/// the manifest's own text without that member, so a flipped byte in the manifest is caught like one in any
/// other file; a manifest edited by hand is therefore rejected too.
public struct CheckpointManifest: Sendable, Hashable {
    /// `format.name`.
    public static let formatName = "cairn-checkpoint"
    /// `format.version` this library writes and reads.
    public static let formatVersion = 1
    /// The largest manifest read (100 MB), so a hostile file cannot make a reader allocate without bound.
    public static let maximumByteCount = 100_000_000
    /// The largest world size a manifest may claim.
    public static let maximumWorldSize = 1 << 20

    /// Optimizer steps completed.
    public var globalStep: Int
    /// The epoch as a fraction.
    public var epoch: Double
    /// The number of ranks that wrote the checkpoint.
    public var worldSize: Int
    /// The strategy's kind.
    public var strategyKind: String
    /// The strategy's options.
    public var strategyOptions: JSONValue
    /// The PEFT configuration, or `nil`.
    public var peft: JSONValue?
    /// The configuration's hash.
    public var configHash: String
    /// The base model's fingerprint.
    public var modelFingerprint: String
    /// The library version that wrote it.
    public var libraryVersion: String
    /// When it was written (ISO 8601, UTC).
    public var createdAt: String
    /// Every file except `manifest.json` and `COMPLETE`, ordered by path.
    public var files: [CheckpointFileRecord]
    /// Every tensor by canonical key.
    public var tensors: [StateKey: SavedTensor]
    /// `ranks/rank-NNNNN.json` for every rank, in rank order.
    public var rankFiles: [String]

    /// Creates a manifest; ``validate()`` checks it.
    public init(
        metadata: CheckpointMetadata, worldSize: Int, files: [CheckpointFileRecord], tensors: [StateKey: SavedTensor],
        rankFiles: [String]
    ) {
        globalStep = metadata.globalStep
        epoch = metadata.epoch
        self.worldSize = worldSize
        strategyKind = metadata.strategyKind
        strategyOptions = metadata.strategyOptions
        peft = metadata.peft
        configHash = metadata.configHash
        modelFingerprint = metadata.modelFingerprint
        libraryVersion = metadata.libraryVersion
        createdAt = metadata.createdAt
        self.files = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        self.tensors = tensors
        self.rankFiles = rankFiles
    }

    // MARK: - Lookup

    /// The tensor keys in canonical order.
    public var tensorKeys: [StateKey] { tensors.keys.sorted() }

    /// The record of the file at `path`.
    public func file(_ path: String) -> CheckpointFileRecord? { files.first { $0.path == path } }

    /// The total size of the files the manifest lists.
    public var totalByteCount: Int { files.reduce(0) { $0 + $1.byteCount } }

    // MARK: - Validation

    /// Checks that the manifest is self-consistent: safe, unique paths and well-formed digests; rank files for
    /// every rank; tensors whose pieces tile them exactly and live in listed files.
    /// - Throws: ``CheckpointError`` `.malformed` or `.unsafePath` naming the file or key.
    public func validate() throws(CheckpointError) {
        let file = CheckpointPath.manifest
        guard globalStep >= 0 else { throw CheckpointError(.malformed, file: file, "global_step \(globalStep) is negative") }
        guard epoch.isFinite, epoch >= 0 else { throw CheckpointError(.malformed, file: file, "epoch \(epoch) is not a non-negative number") }
        guard (1...Self.maximumWorldSize).contains(worldSize) else {
            throw CheckpointError(.malformed, file: file, "world_size \(worldSize) is outside 1...\(Self.maximumWorldSize)")
        }
        var paths = Set<String>()
        for record in files {
            try CheckpointPath.validate(record.path)
            guard !CheckpointPath.reserved.contains(record.path) else {
                throw CheckpointError(.malformed, file: file, "files lists \(record.path), which the commit writes")
            }
            guard paths.insert(record.path).inserted else {
                throw CheckpointError(.malformed, file: file, "files lists \(record.path) twice")
            }
            guard record.byteCount >= 0 else { throw CheckpointError(.malformed, file: file, "\(record.path) has a negative size") }
            guard CheckpointDigest.isWellFormed(record.digest) else {
                throw CheckpointError(.malformed, file: file, "\(record.path): xxh3_128 is not 32 lowercase hex digits")
            }
        }
        guard rankFiles == (0..<worldSize).map(CheckpointPath.rankState(rank:)) else {
            throw CheckpointError(.malformed, file: file, "rank_files must be ranks/rank-00000.json … for each of the \(worldSize) ranks")
        }
        for rankFile in rankFiles where !paths.contains(rankFile) {
            throw CheckpointError(.malformed, file: file, "\(rankFile) is not listed in files")
        }
        for key in tensorKeys {
            let tensor = tensors[key]!
            try tensor.validate(key: key, file: file)
            for piece in tensor.pieces {
                try CheckpointPath.validate(piece.file)
                guard paths.contains(piece.file) else {
                    throw CheckpointError(.malformed, key: key, file: file, "a piece lives in \(piece.file), which files does not list")
                }
            }
        }
    }
}
