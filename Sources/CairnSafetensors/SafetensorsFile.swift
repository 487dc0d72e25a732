public import CairnCore

/// A safetensors file opened for reading: memory-mapped, its header validated before any tensor byte is touched.
///
/// Tensor bytes come back as `HostBuffer` views into the mapping (no copy); the mapping lives as long as the file
/// object or any view. Every request is checked against the validated header, so no call reads outside the file.
///
/// ```swift
/// let file = try SafetensorsFile(contentsOf: "model.safetensors")
/// let weight = try file.floats("model.norm.weight")        // F32, BF16, F16 or F64 → [Float]
/// let rows = try file.bytes("model.embed_tokens.weight", elements: 0..<4096)  // a view, for resharding
/// ```
///
/// > Important: The mapping assumes nobody truncates the file while it is open; on Linux, touching a page past
/// > a file's new end raises SIGBUS. Cairn's checkpoints are never rewritten in place, so this holds for them.
public final class SafetensorsFile: Sendable {
    /// How the file is mapped.
    public enum Mapping: Sendable {
        /// Read-only pages: writing through a view is a programmer error and faults.
        case readOnly
        /// Private copy-on-write pages: views may be written; the file itself never changes.
        case copyOnWrite
    }

    /// The path the file was opened from.
    public let path: String
    /// The validated header.
    public let header: SafetensorsHeader
    /// The offset of the data buffer in the file (8 + header length).
    public let dataOffset: Int
    private let mapping: MemoryMappedFile

    // MARK: - Opening

    /// Maps the file at `path` and validates its header (see ``SafetensorsHeader/decodeFile(_:path:)``).
    /// - Throws: ``SafetensorsError`` with code `fileNotFound` or `io` (cannot open, stat or map; not a regular
    ///   file), or any header code: `truncated`, `headerTooLarge`, `malformedHeader`, `unknownDType`, `badShape`,
    ///   `badOffsets`, `sizeMismatch`, `overlap`, `gap`, `duplicateName`.
    public init(contentsOf path: String, mapping: Mapping = .readOnly) throws(SafetensorsError) {
        let mapped = try MemoryMappedFile(path: path, writable: mapping == .copyOnWrite)
        let layout = try SafetensorsHeader.decodeFile(mapped.bytes, path: path)
        self.path = path
        self.header = layout.header
        self.dataOffset = layout.dataOffset
        self.mapping = mapped
    }

    // MARK: - Header

    /// The tensor names in UTF-8 byte order.
    public var tensorNames: [String] { header.tensorNames }

    /// The `__metadata__` map.
    public var metadata: [String: String] { header.metadata }

    /// The size of the file.
    public var byteCount: Int { mapping.byteCount }

    /// Whether the file holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { header[name] != nil }

    /// The dtype, shape and data offsets of `name`.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func info(_ name: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard let info = header[name] else {
            throw SafetensorsError(.tensorNotFound, path: path, tensor: name, "no tensor of that name in the file")
        }
        return info
    }

    /// The byte offset in the file where `name`'s bytes start (a multiple of 64 for Cairn's first group).
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func fileOffset(of name: String) throws(SafetensorsError) -> Int {
        dataOffset + (try info(name)).dataOffsets.lowerBound
    }

    // MARK: - Raw bytes

    /// A view of all of `name`'s bytes (row-major, little-endian), sharing the mapping.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func bytes(_ name: String) throws(SafetensorsError) -> HostBuffer {
        let info = try info(name)
        return view(fileRange: dataOffset + info.dataOffsets.lowerBound..<dataOffset + info.dataOffsets.upperBound)
    }

    /// A view of the bytes of elements `elements` of `name`'s row-major flattening — the piece a resharding
    /// load needs, without touching the rest of the tensor.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`, or `outOfRange` when `elements` is not inside
    ///   `0..<elementCount`.
    public func bytes(_ name: String, elements: Range<Int>) throws(SafetensorsError) -> HostBuffer {
        let info = try info(name)
        let byteRange = try byteRange(of: info, elements: elements)
        return view(fileRange: dataOffset + byteRange.lowerBound..<dataOffset + byteRange.upperBound)
    }

    /// The whole tensor as a replicated ``StateTensor`` whose buffer views the mapping when the bytes are
    /// aligned to the element width (always, in files Cairn writes), or holds an aligned copy otherwise — so
    /// typed access to its buffer is always safe.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`.
    public func stateTensor(_ name: String) throws(SafetensorsError) -> StateTensor {
        let info = try info(name)
        let view = try bytes(name)
        let isAligned = Int(bitPattern: view.baseAddress) % info.elementType.byteWidth == 0
        return StateTensor(layout: info.layout, buffer: isAligned ? view : HostBuffer(copying: view.bytes))
    }

    // MARK: - Helpers

    /// The bytes of `elements` inside the data buffer.
    func byteRange(of info: SafetensorsTensorInfo, elements: Range<Int>) throws(SafetensorsError) -> Range<Int> {
        guard elements.lowerBound >= 0, elements.upperBound <= info.elementCount else {
            throw SafetensorsError(
                .outOfRange, path: path, tensor: info.name,
                "elements \(elements.lowerBound)..<\(elements.upperBound) are outside 0..<\(info.elementCount)")
        }
        let width = info.elementType.byteWidth
        return info.dataOffsets.lowerBound + elements.lowerBound * width..<info.dataOffsets.lowerBound
            + elements.upperBound * width
    }

    /// The mapped bytes of `dataRange` (relative to the data buffer, already validated); valid while `self` lives.
    func mappedBytes(dataRange: Range<Int>) -> UnsafeRawBufferPointer {
        let view = view(fileRange: dataOffset + dataRange.lowerBound..<dataOffset + dataRange.upperBound)
        return UnsafeRawBufferPointer(start: view.baseAddress, count: view.byteCount)
    }

    /// A view of `fileRange`, which validation has already placed inside the file.
    private func view(fileRange: Range<Int>) -> HostBuffer {
        precondition(
            fileRange.lowerBound >= 0 && fileRange.upperBound <= mapping.byteCount,
            "SafetensorsFile: validated range \(fileRange) lies outside the \(mapping.byteCount)-byte mapping")
        return HostBuffer(view: mapping.baseAddress + fileRange.lowerBound, byteCount: fileRange.count, owner: mapping)
    }

    /// The mapped region, for tests that check every view stays inside the file.
    var mappedRange: Range<UInt> {
        let start = UInt(bitPattern: mapping.baseAddress)
        return start..<start + UInt(mapping.byteCount)
    }
}
