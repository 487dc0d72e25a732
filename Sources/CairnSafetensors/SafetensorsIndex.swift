import CairnJSON

/// The `model.safetensors.index.json` of a sharded Hugging Face checkpoint: which file holds each tensor.
///
/// Parsed as strictly as a safetensors header: an object with a `weight_map` of tensor name → file name (no
/// duplicates) and an optional `metadata` object (whose `total_size`, when present, is a non-negative integer);
/// any other key is rejected. File names must be plain names inside the folder — no `/`, `\`, `..` or NUL —
/// so an index can never point a loader outside its checkpoint.
public struct SafetensorsIndex: Hashable, Sendable {
    /// The file name Hugging Face gives the index.
    public static let fileName = "model.safetensors.index.json"

    /// Tensor name → file name inside the folder.
    public let weightMap: [String: String]
    /// `metadata.total_size`: the bytes of all tensors, when the index records it.
    public let totalSize: Int?

    /// Parses index JSON.
    /// - Parameters:
    ///   - json: The file's bytes.
    ///   - path: The file's path, for error messages.
    /// - Throws: ``SafetensorsError`` with code `malformedIndex`, `duplicateName` or `unsafePath`.
    public init(json: UnsafeRawBufferPointer, path: String? = nil) throws(SafetensorsError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(json, options: SafetensorsHeader.headerParsingOptions)
        } catch {
            throw SafetensorsError(.malformedIndex, path: path, "the index is not valid JSON: \(error)", cause: error)
        }
        guard case .object(let members) = root else {
            throw SafetensorsError(.malformedIndex, path: path, "the index is \(root.kindName), not an object")
        }
        var weightMap: [String: String]?
        var totalSize: Int?
        var sawMetadata = false
        for member in members {
            switch member.key {
            case "weight_map" where weightMap == nil:
                weightMap = try Self.decodeWeightMap(member.value, path: path)
            case "metadata" where !sawMetadata:
                sawMetadata = true
                totalSize = try Self.decodeTotalSize(member.value, path: path)
            case "weight_map", "metadata":
                throw SafetensorsError(.malformedIndex, path: path, "\(member.key) appears twice")
            default:
                throw SafetensorsError(
                    .malformedIndex, path: path, "unknown key \"\(member.key)\"; an index has metadata and weight_map")
            }
        }
        guard let weightMap else { throw SafetensorsError(.malformedIndex, path: path, "the index has no weight_map") }
        self.weightMap = weightMap
        self.totalSize = totalSize
    }

    /// Reads and parses the index file at `path` (at most 100 MB).
    /// - Throws: ``SafetensorsError`` with code `fileNotFound`, `io`, or as ``init(json:path:)``.
    public init(contentsOf path: String) throws(SafetensorsError) {
        let bytes = try FileIO.readFile(path, limit: SafetensorsHeader.maximumByteCount)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SafetensorsError) in try SafetensorsIndex(json: buffer, path: path) }
        }
        self = try result.get()
    }

    // MARK: - Lookup

    /// The distinct shard file names in UTF-8 byte order.
    public var fileNames: [String] { Set(weightMap.values).sorted(by: utf8Precedes) }

    /// The tensor names in UTF-8 byte order.
    public var tensorNames: [String] { weightMap.keys.sorted(by: utf8Precedes) }

    /// The tensors the index places in `fileName`, in UTF-8 byte order.
    public func tensorNames(in fileName: String) -> [String] {
        weightMap.filter { $0.value == fileName }.map(\.key).sorted(by: utf8Precedes)
    }

    /// Whether `name` is a plain file name that stays inside its folder.
    public static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && !name.contains("..") && !name.utf8.contains(UInt8(ascii: "/"))
            && !name.utf8.contains(UInt8(ascii: "\\")) && !name.utf8.contains(0)
    }

    // MARK: - Decoding

    private static func decodeWeightMap(_ value: JSONValue, path: String?) throws(SafetensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw SafetensorsError(.malformedIndex, path: path, "weight_map is \(value.kindName), not an object")
        }
        guard !members.isEmpty else { throw SafetensorsError(.malformedIndex, path: path, "weight_map is empty") }
        var map: [String: String] = [:]
        for member in members {
            guard let file = member.value.stringValue else {
                throw SafetensorsError(
                    .malformedIndex, path: path, tensor: member.key,
                    "weight_map maps it to \(member.value.kindName), not a file name")
            }
            guard isPlainFileName(file) else {
                throw SafetensorsError(
                    .unsafePath, path: path, tensor: member.key,
                    "\"\(file)\" is not a plain file name inside the folder (no /, \\, .. or NUL)")
            }
            guard map.updateValue(file, forKey: member.key) == nil else {
                throw SafetensorsError(.duplicateName, path: path, tensor: member.key, "weight_map lists it twice")
            }
        }
        return map
    }

    private static func decodeTotalSize(_ value: JSONValue, path: String?) throws(SafetensorsError) -> Int? {
        guard case .object(let members) = value else {
            throw SafetensorsError(.malformedIndex, path: path, "metadata is \(value.kindName), not an object")
        }
        var totalSize: Int?
        var seen = Set<String>()
        for member in members {
            guard seen.insert(member.key).inserted else {
                throw SafetensorsError(.malformedIndex, path: path, "metadata has the key \(member.key) twice")
            }
            if member.key == "total_size" {
                guard let size = member.value.nonNegativeInteger else {
                    throw SafetensorsError(
                        .malformedIndex, path: path, "metadata.total_size is not a non-negative integer")
                }
                totalSize = size
            }
        }
        return totalSize
    }
}
