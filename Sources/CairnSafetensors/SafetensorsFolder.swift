public import CairnCore

/// The weights of a Hugging Face model folder: one `model.safetensors`, or the shards its
/// `model.safetensors.index.json` lists.
///
/// Opening checks that the index and the shards agree: every tensor the index lists is in the shard it names,
/// and every tensor in a shard is listed for that shard — so a lookup never depends on which shard is searched
/// first.
///
/// ```swift
/// let weights = try SafetensorsFolder(contentsOf: "Fixtures/qwen3-tiny-bf16-sharded")
/// try weights.readFloats("model.norm.weight", into: parameterStorage)   // BF16 → F32
/// ```
public final class SafetensorsFolder: Sendable {
    /// The single-file weight name Hugging Face uses.
    public static let singleFileName = "model.safetensors"

    /// The folder's path.
    public let directory: String
    /// The index, for a sharded folder.
    public let index: SafetensorsIndex?
    /// The open files by file name.
    public let files: [String: SafetensorsFile]
    private let fileByTensor: [String: String]

    /// Opens `directory`: its index and every shard it names, or else its `model.safetensors`.
    /// - Throws: ``SafetensorsError`` with code `fileNotFound` (neither file exists), `tensorNotFound` (the index
    ///   names a tensor its shard lacks), `malformedIndex` (a shard holds a tensor the index does not place
    ///   there), or any code of ``SafetensorsIndex`` and ``SafetensorsFile``.
    public init(contentsOf directory: String, mapping: SafetensorsFile.Mapping = .readOnly) throws(SafetensorsError) {
        self.directory = directory
        let indexPath = Self.join(directory, SafetensorsIndex.fileName)
        guard FileIO.isRegularFile(indexPath) else {
            let path = Self.join(directory, Self.singleFileName)
            guard FileIO.isRegularFile(path) else {
                throw SafetensorsError(
                    .fileNotFound, path: directory,
                    "the folder has neither \(SafetensorsIndex.fileName) nor \(Self.singleFileName)")
            }
            let file = try SafetensorsFile(contentsOf: path, mapping: mapping)
            self.index = nil
            self.files = [Self.singleFileName: file]
            self.fileByTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, Self.singleFileName) })
            return
        }
        let index = try SafetensorsIndex(contentsOf: indexPath)
        var files: [String: SafetensorsFile] = [:]
        for fileName in index.fileNames {
            let file = try SafetensorsFile(contentsOf: Self.join(directory, fileName), mapping: mapping)
            for name in file.tensorNames where index.weightMap[name] != fileName {
                let listed = index.weightMap[name].map { "lists it in \($0)" } ?? "does not list it"
                throw SafetensorsError(
                    .malformedIndex, path: file.path, tensor: name, "the shard holds this tensor but the index \(listed)")
            }
            files[fileName] = file
        }
        for (name, fileName) in index.weightMap where files[fileName]?.contains(name) != true {
            throw SafetensorsError(
                .tensorNotFound, path: Self.join(directory, fileName), tensor: name,
                "the index places this tensor in the file but the file does not hold it")
        }
        self.index = index
        self.files = files
        self.fileByTensor = index.weightMap
    }

    // MARK: - Lookup

    /// Every tensor name in the folder, in UTF-8 byte order.
    public var tensorNames: [String] { fileByTensor.keys.sorted(by: utf8Precedes) }

    /// Whether the folder holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { fileByTensor[name] != nil }

    /// The file holding `name`.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func file(containing name: String) throws(SafetensorsError) -> SafetensorsFile {
        guard let fileName = fileByTensor[name], let file = files[fileName] else {
            throw SafetensorsError(.tensorNotFound, path: directory, tensor: name, "no tensor of that name in the folder")
        }
        return file
    }

    /// The dtype, shape and offsets of `name`.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func info(_ name: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        try file(containing: name).info(name)
    }

    /// `name`'s elements as float32 (see ``SafetensorsFile/floats(_:)``).
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound` or `unsupportedConversion`.
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        try file(containing: name).floats(name)
    }

    /// Converts `name`'s elements (or `elements` of them) to float32 into `destination`.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`, `unsupportedConversion` or `outOfRange`.
    public func readFloats(
        _ name: String, elements: Range<Int>? = nil, into destination: UnsafeMutableBufferPointer<Float>
    ) throws(SafetensorsError) {
        try file(containing: name).readFloats(name, elements: elements, into: destination)
    }

    /// A view of `name`'s bytes.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func bytes(_ name: String) throws(SafetensorsError) -> HostBuffer {
        try file(containing: name).bytes(name)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
