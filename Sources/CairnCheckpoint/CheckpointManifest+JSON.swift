public import CairnCore
import CairnJSON

extension CheckpointManifest {
    /// The member that holds the digest of the rest of the manifest.
    static let selfDigestKey = "manifest_xxh3_128"

    /// How the manifest is laid out: indented for people, members in a fixed order, so equal manifests give
    /// equal bytes.
    static let writingOptions = JSONWriter.Options(sortsKeys: false, indentation: 2)

    // MARK: - Encoding

    /// The bytes of `manifest.json`: the manifest as indented JSON, its own digest last, and a final newline.
    public func encoded() -> [UInt8] {
        Self.sealed(jsonObject())
    }

    /// The bytes of a manifest file holding `object` followed by its self-digest (tests use it to forge
    /// manifests that get past the digest to the checks behind it).
    static func sealed(_ object: JSONObject) -> [UInt8] {
        let body = JSONWriter.encode(.object(object), options: writingOptions)
        return sealed(body: body, digest: CheckpointDigest.hex(of: body))
    }

    /// `body` (an indented object of at least one member, ending in `\n}`) with the digest member added last,
    /// and a final newline: the same bytes as encoding the object with that member, without encoding it twice.
    private static func sealed(body: [UInt8], digest: String) -> [UInt8] {
        guard body.count > 2, body.suffix(2).elementsEqual("\n}".utf8) else {
            return Array("{\n  \"\(selfDigestKey)\": \"\(digest)\"\n}\n".utf8)
        }
        var bytes = Array(body.dropLast(2))
        bytes.append(contentsOf: ",\n  \"\(selfDigestKey)\": \"\(digest)\"\n}\n".utf8)
        return bytes
    }

    private func jsonObject() -> JSONObject {
        var object = JSONObject()
        object["format"] = ["name": .string(Self.formatName), "version": .integer(Self.formatVersion)]
        object["global_step"] = .integer(globalStep)
        object["epoch"] = .double(epoch) ?? .null
        object["world_size"] = .integer(worldSize)
        object["strategy"] = ["kind": .string(strategyKind), "options": strategyOptions]
        object["peft"] = peft ?? .null
        object["config_hash"] = .string(configHash)
        object["model_fingerprint"] = .string(modelFingerprint)
        object["library_version"] = .string(libraryVersion)
        object["created_at"] = .string(createdAt)
        object["rank_files"] = .array(rankFiles.map(JSONValue.string))
        object["files"] = .array(
            files.map { ["path": .string($0.path), "bytes": .integer($0.byteCount), "xxh3_128": .string($0.digest)] })
        var tensorObject = JSONObject()
        for key in tensorKeys { tensorObject.append(key: key.rawValue, value: tensors[key]!.json()) }
        object["tensors"] = .object(tensorObject)
        return object
    }

    // MARK: - Decoding

    /// Parses, checks the self-digest of, and validates `manifest.json`.
    /// - Throws: ``CheckpointError`` `.malformed` (not JSON, wrong shape, unknown format or version, bad values),
    ///   `.corrupt` (the self-digest does not match) or `.unsafePath` (a path leaves the checkpoint).
    public init(json bytes: [UInt8]) throws(CheckpointError) {
        let file = CheckpointPath.manifest
        guard bytes.count <= Self.maximumByteCount else {
            throw CheckpointError(.malformed, file: file, "the manifest has \(bytes.count) bytes; at most \(Self.maximumByteCount) are read")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, options: JSONParser.Options(maximumDepth: 64))
        } catch {
            throw CheckpointError(.malformed, file: file, "not valid JSON: \(error)", cause: error)
        }
        guard var object = root.objectValue else {
            throw CheckpointError(.malformed, file: file, "the manifest is \(root.kindName), not an object")
        }
        try Self.checkFormat(object["format"])
        guard let recorded = object[Self.selfDigestKey]?.stringValue, object.keys.last == Self.selfDigestKey else {
            throw CheckpointError(.malformed, file: file, "the manifest does not end with its \(Self.selfDigestKey)")
        }
        object[Self.selfDigestKey] = nil
        let body = JSONWriter.encode(.object(object), options: Self.writingOptions)
        let actual = CheckpointDigest.hex(of: body)
        guard actual == recorded else {
            throw CheckpointError(
                .corrupt, file: file,
                "the manifest's digest is \(actual) but it records \(recorded): the file was damaged or edited")
        }
        guard Self.sealed(body: body, digest: recorded) == bytes else {
            throw CheckpointError(
                .corrupt, file: file, "the manifest's layout differs from what Cairn writes: the file was damaged or edited")
        }
        try self.init(decoding: .object(object))
        try validate()
    }

    private static func checkFormat(_ value: JSONValue?) throws(CheckpointError) {
        let file = CheckpointPath.manifest
        guard let value else { throw CheckpointError(.malformed, file: file, "format: missing; this is not a Cairn checkpoint") }
        var fields = try JSONFields(value, path: "format", file: file)
        let name = try fields.string("name")
        guard name == formatName else {
            throw CheckpointError(.malformed, file: file, "format.name is \"\(name)\", not \"\(formatName)\"")
        }
        let version = try fields.integer("version")
        guard version == formatVersion else {
            throw CheckpointError(
                .incompatible, file: file,
                "format.version is \(version); this Cairn reads version \(formatVersion): use the Cairn that wrote it")
        }
        try fields.finish()
    }

    private init(decoding value: JSONValue) throws(CheckpointError) {
        let file = CheckpointPath.manifest
        var fields = try JSONFields(value, path: "", file: file)
        _ = try fields.value("format")
        globalStep = try fields.integer("global_step")
        epoch = try fields.double("epoch")
        worldSize = try fields.integer("world_size", in: 1...Self.maximumWorldSize)
        var strategy = try fields.object("strategy")
        strategyKind = try strategy.string("kind")
        strategyOptions = try strategy.value("options")
        try strategy.finish()
        let peftValue = try fields.value("peft")
        peft = peftValue.isNull ? nil : peftValue
        configHash = try fields.string("config_hash")
        modelFingerprint = try fields.string("model_fingerprint")
        libraryVersion = try fields.string("library_version")
        createdAt = try fields.string("created_at")
        rankFiles = []
        for (index, element) in try fields.array("rank_files").enumerated() {
            guard let path = element.stringValue else {
                throw fields.failure("rank_files[\(index)]", "expected a string, found \(element.kindName)")
            }
            rankFiles.append(path)
        }
        files = []
        for (index, element) in try fields.array("files").enumerated() {
            var record = try JSONFields(element, path: "files[\(index)]", file: file)
            let path = try record.string("path")
            try CheckpointPath.validate(path)
            files.append(
                CheckpointFileRecord(path: path, byteCount: try record.integer("bytes"), digest: try record.string("xxh3_128")))
            try record.finish()
        }
        tensors = [:]
        let tensorFields = try fields.object("tensors")
        for member in tensorFields.object {
            let key = StateKey(member.key)
            guard !member.key.isEmpty else { throw fields.failure("tensors", "a tensor has an empty key") }
            tensors[key] = try SavedTensor(json: member.value, key: key, path: "tensors.\(member.key)", file: file)
        }
        try fields.finish()
    }
}
