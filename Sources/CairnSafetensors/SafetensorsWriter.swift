public import CairnCore

/// Collects tensors and lays them out as a safetensors file whose large tensors can be memory-mapped in place.
///
/// Layout (DESIGN.md §7): the header JSON is padded with spaces so the data buffer starts at a multiple of
/// 64 bytes; tensors whose byte size is a multiple of 64 come first (sorted by name), then the others, widest
/// element type first (8, 4, 2, 1 bytes) and by name within a width. So every tensor of the first group starts
/// 64-byte aligned in the file, every other tensor is aligned to its element width (typed access in place is
/// safe for all of them), and the data buffer has no holes, as Hugging Face's reader requires. The same tensors
/// and metadata always give the same bytes.
///
/// ```swift
/// var writer = SafetensorsWriter(metadata: ["format": "pt"])
/// try writer.add("model.norm.weight", elementType: .float32, shape: [64], bytes: buffer)
/// try writer.write(to: "model.safetensors")
/// ```
public struct SafetensorsWriter: Sendable {
    private struct Entry: Sendable {
        var name: String
        var elementType: ElementType
        var shape: [Int]
        var bytes: HostBuffer
    }

    /// The `__metadata__` string map written into the header.
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var names: Set<String> = []

    /// Creates an empty writer.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    // MARK: - Adding tensors

    /// Adds a tensor whose bytes are `bytes` (row-major, little-endian), without copying them.
    ///
    /// The buffer is referenced until the file is written: don't mutate it before then.
    /// - Throws: ``SafetensorsError`` with code `invalidTensor` (empty or reserved name), `duplicateName`,
    ///   `badShape` (negative dimension or overflow) or `sizeMismatch` (byte count differs from the shape's).
    public mutating func add(
        _ name: String, elementType: ElementType, shape: [Int], bytes: HostBuffer
    ) throws(SafetensorsError) {
        guard !name.isEmpty else { throw SafetensorsError(.invalidTensor, "a tensor name is empty") }
        guard name != SafetensorsHeader.metadataKey else {
            throw SafetensorsError(.invalidTensor, tensor: name, "the name is reserved for the metadata map")
        }
        guard let byteCount = SafetensorsTensorInfo.checkedByteCount(shape: shape, width: elementType.byteWidth)
        else { throw SafetensorsError(.badShape, tensor: name, "shape \(shape) is negative or overflows") }
        guard byteCount == bytes.byteCount else {
            throw SafetensorsError(
                .sizeMismatch, tensor: name,
                "\(elementType.rawValue)\(shape) needs \(byteCount) bytes but the buffer has \(bytes.byteCount)")
        }
        guard names.insert(name).inserted else {
            throw SafetensorsError(.duplicateName, tensor: name, "the tensor was already added")
        }
        entries.append(Entry(name: name, elementType: elementType, shape: shape, bytes: bytes))
    }

    /// Adds this rank's piece of a state tensor: its element type, its local shape and its bytes (no copy).
    /// - Throws: ``SafetensorsError`` as ``add(_:elementType:shape:bytes:)``.
    public mutating func add(_ name: String, tensor: StateTensor) throws(SafetensorsError) {
        try add(name, elementType: tensor.layout.elementType, shape: tensor.layout.localShape, bytes: tensor.buffer)
    }

    /// Adds a float32 tensor holding a copy of `values`.
    /// - Throws: ``SafetensorsError`` as ``add(_:elementType:shape:bytes:)``.
    public mutating func add(_ name: String, shape: [Int], floats values: [Float]) throws(SafetensorsError) {
        try add(name, elementType: .float32, shape: shape, bytes: HostBuffer(copying: values))
    }

    // MARK: - Output

    /// The file as a list of buffers to write in order: the header prefix (length, JSON, padding), then each
    /// tensor's bytes as given — no copy, so a checkpoint writer can stream live parameters to disk.
    /// - Throws: ``SafetensorsError`` with code `headerTooLarge` when the header would exceed
    ///   ``SafetensorsHeader/maximumByteCount``.
    public func encode() throws(SafetensorsError) -> SafetensorsPayload {
        let header = try Self.plan(
            entries.map { (name: $0.name, elementType: $0.elementType, shape: $0.shape) }, metadata: metadata)
        let bytes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.bytes) })
        return SafetensorsPayload(header: header, parts: [header.encodedPrefix()] + header.tensors.map { bytes[$0.name]! })
    }

    /// The header of a file holding `tensors`, laid out as this writer lays them out (aligned first, then by
    /// element width and name), with no bytes needed: what a streaming writer fills in order.
    /// - Throws: ``SafetensorsError`` `badShape`, `duplicateName`, `invalidTensor`, `headerTooLarge`.
    public static func plan(
        _ tensors: [(name: String, elementType: ElementType, shape: [Int])], metadata: [String: String]
    ) throws(SafetensorsError) -> SafetensorsHeader {
        var seen: Set<String> = []
        var sized: [(name: String, elementType: ElementType, shape: [Int], byteCount: Int)] = []
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name != SafetensorsHeader.metadataKey else {
                throw SafetensorsError(.invalidTensor, tensor: tensor.name, "the name is empty or reserved")
            }
            guard seen.insert(tensor.name).inserted else {
                throw SafetensorsError(.duplicateName, tensor: tensor.name, "the tensor was already added")
            }
            guard let byteCount = SafetensorsTensorInfo.checkedByteCount(shape: tensor.shape, width: tensor.elementType.byteWidth)
            else { throw SafetensorsError(.badShape, tensor: tensor.name, "shape \(tensor.shape) is negative or overflows") }
            sized.append((tensor.name, tensor.elementType, tensor.shape, byteCount))
        }
        let aligned = sized.filter { $0.byteCount % SafetensorsHeader.dataAlignment == 0 }
            .sorted { utf8Precedes($0.name, $1.name) }
        let unaligned = sized.filter { $0.byteCount % SafetensorsHeader.dataAlignment != 0 }
            .sorted { lhs, rhs in
                let (left, right) = (lhs.elementType.byteWidth, rhs.elementType.byteWidth)
                return left != right ? left > right : utf8Precedes(lhs.name, rhs.name)
            }
        var infos: [SafetensorsTensorInfo] = []
        var offset = 0
        for entry in aligned + unaligned {
            let end = offset + entry.byteCount
            infos.append(
                SafetensorsTensorInfo(
                    name: entry.name, elementType: entry.elementType, shape: entry.shape, dataOffsets: offset..<end))
            offset = end
        }
        let header = SafetensorsHeader(orderedTensors: infos, metadata: metadata, dataByteCount: offset)
        guard header.encodedPrefix().byteCount - 8 <= SafetensorsHeader.maximumByteCount else {
            throw SafetensorsError(
                .headerTooLarge, "the header would be over \(SafetensorsHeader.maximumByteCount) bytes")
        }
        return header
    }

    /// Writes a file planned by ``plan(_:metadata:)`` to `path` one tensor at a time, asking `bytes` for each in
    /// data order, so at most one tensor's bytes are in memory (consolidating a sharded checkpoint), and syncs it.
    /// On failure the partial file is removed.
    /// - Throws: ``SafetensorsError`` `io` or `sizeMismatch`, or what `bytes` throws.
    public static func stream(
        _ header: SafetensorsHeader, to path: String, bytes: (SafetensorsTensorInfo) async throws -> HostBuffer
    ) async throws {
        let file = try FileIO.StreamingFile(creating: path)
        do {
            try file.append(header.encodedPrefix())
            for info in header.tensors {
                let buffer = try await bytes(info)
                guard buffer.byteCount == info.dataOffsets.count else {
                    throw SafetensorsError(.sizeMismatch, tensor: info.name,
                                           "\(buffer.byteCount) bytes for \(info.dataOffsets.count) planned")
                }
                try file.append(buffer)
            }
            try file.finish()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// Writes the file to `path` (created or truncated, mode 0644) and flushes it to stable storage (fsync).
    ///
    /// The file is written in place: a crash mid-write leaves a partial file, so checkpoint writers write into
    /// an uncommitted folder and rename it (DESIGN.md §7). On failure the partial file is removed.
    /// - Returns: The header written, with every tensor's data offsets.
    /// - Throws: ``SafetensorsError`` with code `io`, or as ``encode()``.
    @discardableResult
    public func write(to path: String) throws(SafetensorsError) -> SafetensorsHeader {
        let payload = try encode()
        try FileIO.writeDurably(payload.parts, to: path)
        return payload.header
    }
}

/// A safetensors file ready to be written: the header and the byte buffers that make up the file, in order.
public struct SafetensorsPayload: Sendable {
    /// The header, with every tensor's data offsets.
    public let header: SafetensorsHeader
    /// The file's bytes in order: the header prefix, then each tensor's bytes in data order.
    public let parts: [HostBuffer]

    /// The offset of the data buffer in the file (a multiple of 64).
    public var dataOffset: Int { parts[0].byteCount }

    /// The size of the whole file.
    public var byteCount: Int { dataOffset + header.dataByteCount }

    /// The byte offset of `name`'s first byte in the file, or `nil` for an unknown name.
    public func fileOffset(of name: String) -> Int? {
        header[name].map { dataOffset + $0.dataOffsets.lowerBound }
    }
}
