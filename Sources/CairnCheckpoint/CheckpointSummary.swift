public import CairnCore
public import CairnJSON

/// What a checkpoint holds, from its manifest alone: what `cairn inspect` prints.
public struct CheckpointSummary: Sendable {
    /// One tensor: its key, element type, global shape, number of saved pieces and bytes.
    public struct Tensor: Sendable, Hashable {
        /// The canonical key.
        public var key: StateKey
        /// The element type.
        public var elementType: ElementType
        /// The global shape.
        public var shape: [Int]
        /// How many pieces hold it (1 when replicated; the number of ranks that held a shard).
        public var pieceCount: Int
        /// The bytes of the whole tensor.
        public var byteCount: Int
    }

    /// The checkpoint.
    public var checkpoint: CheckpointID
    /// Whether its commit marker exists.
    public var isCommitted: Bool
    /// The manifest's global step.
    public var globalStep: Int
    /// The epoch as a fraction.
    public var epoch: Double
    /// The world size it was saved with.
    public var worldSize: Int
    /// The strategy's kind.
    public var strategyKind: String
    /// The strategy's options.
    public var strategyOptions: JSONValue
    /// The PEFT configuration, if any.
    public var peft: JSONValue?
    /// The library version that wrote it.
    public var libraryVersion: String
    /// When it was written (ISO 8601, UTC).
    public var createdAt: String
    /// Every tensor in canonical key order.
    public var tensors: [Tensor]
    /// Every file with its size and digest, by path.
    public var files: [CheckpointFileRecord]

    /// The total size of the files.
    public var totalByteCount: Int { files.reduce(0) { $0 + $1.byteCount } }

    /// Summarizes `checkpoint` from its manifest (committed or not, as long as a manifest exists).
    /// - Throws: ``CheckpointError`` `.notFound`, `.malformed`, `.corrupt`, `.io`.
    public static func inspect(backend: any CheckpointBackend, checkpoint: CheckpointID) async throws -> CheckpointSummary {
        let listings = try await backend.list().filter { $0.id == checkpoint }
        guard !listings.isEmpty else {
            throw CheckpointError(.notFound, checkpoint: checkpoint.name, step: checkpoint.step, "no such checkpoint")
        }
        let manifest: CheckpointManifest
        do {
            let bytes = try await backend.read(CheckpointPath.manifest, of: checkpoint, range: nil)
            manifest = try CheckpointManifest(json: bytes.byteArray())
        } catch {
            throw CheckpointReader.located(error, checkpoint)
        }
        return CheckpointSummary(
            checkpoint: checkpoint, isCommitted: listings.contains(where: \.isCommitted), globalStep: manifest.globalStep,
            epoch: manifest.epoch, worldSize: manifest.worldSize, strategyKind: manifest.strategyKind,
            strategyOptions: manifest.strategyOptions, peft: manifest.peft, libraryVersion: manifest.libraryVersion,
            createdAt: manifest.createdAt,
            tensors: manifest.tensorKeys.map { key in
                let tensor = manifest.tensors[key]!
                return Tensor(key: key, elementType: tensor.elementType, shape: tensor.shape, pieceCount: tensor.pieces.count,
                              byteCount: tensor.elementCount * tensor.elementType.byteWidth)
            },
            files: manifest.files)
    }
}
