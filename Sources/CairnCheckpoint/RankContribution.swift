public import CairnCore
import CairnJSON

/// What one rank wrote into an uncommitted checkpoint: its files with sizes and digests, and its pieces of each
/// tensor. The commit gathers every rank's contribution on rank 0, which builds the manifest from them.
public struct RankContribution: Sendable, Hashable, Codable {
    /// The rank that wrote it.
    public var rank: Int
    /// The world size it wrote under.
    public var worldSize: Int
    /// Every file the rank wrote, ordered by path.
    public var files: [CheckpointFileRecord]
    /// The rank's pieces, by canonical key (each ``SavedTensor`` holds only this rank's pieces).
    public var tensors: [String: SavedTensor]

    /// Creates a contribution.
    public init(rank: Int, worldSize: Int, files: [CheckpointFileRecord], tensors: [String: SavedTensor]) {
        self.rank = rank
        self.worldSize = worldSize
        self.files = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        self.tensors = tensors
    }

    /// The path of this rank's non-tensor file, `ranks/rank-NNNNN.json`.
    public var rankStateFile: String { CheckpointPath.rankState(rank: rank) }

    /// The total size of the rank's files.
    public var byteCount: Int { files.reduce(0) { $0 + $1.byteCount } }
}

// MARK: - Wire format

extension RankContribution {
    /// The contribution as compact JSON, for the commit's gather.
    func json() -> JSONValue {
        var tensorObject = JSONObject()
        for key in tensors.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            tensorObject.append(key: key, value: tensors[key]!.json())
        }
        return [
            "rank": .integer(rank), "world_size": .integer(worldSize),
            "files": .array(files.map { ["path": .string($0.path), "bytes": .integer($0.byteCount), "xxh3_128": .string($0.digest)] }),
            "tensors": .object(tensorObject),
        ]
    }

    /// Decodes a gathered contribution (which crossed a process boundary, so it is checked like a file).
    init(json: JSONValue, source: String) throws(CheckpointError) {
        var fields = try JSONFields(json, path: "", file: source)
        rank = try fields.integer("rank")
        worldSize = try fields.integer("world_size", in: 1...CheckpointManifest.maximumWorldSize)
        files = []
        for (index, element) in try fields.array("files").enumerated() {
            var record = try JSONFields(element, path: "files[\(index)]", file: source)
            files.append(
                CheckpointFileRecord(
                    path: try record.string("path"), byteCount: try record.integer("bytes"), digest: try record.string("xxh3_128")))
            try record.finish()
        }
        tensors = [:]
        let tensorFields = try fields.object("tensors")
        for member in tensorFields.object {
            tensors[member.key] = try SavedTensor(
                partialJSON: member.value, key: StateKey(member.key), path: "tensors.\(member.key)", file: source)
        }
        try fields.finish()
    }
}
