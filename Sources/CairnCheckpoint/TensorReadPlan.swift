import CairnCore

/// What one ``CheckpointReader/read(into:rank:worldSize:options:verification:)`` reads: for every tensor, the
/// byte runs of the saved pieces that overlap the piece this rank needs, then those runs merged per file into as
/// few large reads as possible.
///
/// Cairn's files have no gaps between tensors, so a load under the saving layout reads each file's data in a few
/// large runs (a backend maps them: sequential reads at disk speed), two at a time so one is digested while the
/// next is read, and each tensor is a view into its run. A resharded load merges only runs that touch, so it
/// still reads nothing it does not need.
struct TensorReadPlan {
    /// One saved piece's contribution to one tensor.
    private struct Segment {
        var key: StateKey
        var piece: SavedTensor.Piece
        /// The elements this tensor takes from the piece.
        var overlap: Range<Int>
        /// The elements read from the piece (the whole piece when its digest is checked).
        var readElements: Range<Int>
        /// The bytes of `readElements` in the piece's file.
        var fileRange: Range<Int>
    }

    /// A tensor to assemble.
    private struct Target {
        var key: StateKey
        var needed: Range<Int>
        var width: Int
        var segments: [Segment]
    }

    let reader: CheckpointReader
    let verification: CheckpointReader.Verification
    private var headers = SafetensorsHeaderCache()
    private var targets: [Target] = []

    init(reader: CheckpointReader, verification: CheckpointReader.Verification) {
        self.reader = reader
        self.verification = verification
    }

    // MARK: - Planning

    /// Plans the read of `layout`'s piece of the saved tensor `key`.
    /// - Throws: ``CheckpointError`` `.incompatible` (dtype, shape or piece mismatch), `.malformed` (pieces that
    ///   do not cover the piece, a header that disagrees with the manifest), `.corrupt`, `.io`.
    mutating func add(_ key: StateKey, saved: SavedTensor, layout: TensorLayout) async throws {
        guard layout.elementType == saved.elementType, layout.globalShape == saved.shape else {
            throw CheckpointError(.incompatible, "saved as \(saved.elementType.rawValue)\(saved.shape), expected "
                                  + "\(layout.elementType.rawValue)\(layout.globalShape)")
        }
        guard layout.isWellFormed else { throw CheckpointError(.incompatible, "the requested piece \(layout) lies outside the tensor") }
        let needed = layout.globalElementRange
        let width = saved.elementType.byteWidth
        let overlaps = saved.pieces(overlapping: needed)
        guard overlaps.reduce(0, { $0 + $1.overlap.count }) == needed.count else {
            throw CheckpointError(.malformed, "the saved pieces do not cover elements \(needed)")
        }
        var segments: [Segment] = []
        for (piece, overlap) in overlaps {
            let dataRange = try await headers.dataRange(of: piece, in: saved, reader: reader)
            let readElements = verification == .wholePieces ? piece.elements : overlap
            let start = dataRange.lowerBound + (readElements.lowerBound - piece.elements.lowerBound) * width
            segments.append(Segment(key: key, piece: piece, overlap: overlap, readElements: readElements,
                                    fileRange: start..<start + readElements.count * width))
        }
        targets.append(Target(key: key, needed: needed, width: width, segments: segments))
    }

    // MARK: - Reading

    /// A merged run of one file, read with one backend call.
    private struct Chunk: Sendable {
        var file: String
        var range: Range<Int>
        /// The pieces inside the run whose digests are checked once it is read.
        var checks: [(name: String, key: StateKey, range: Range<Int>, digest: String)]
    }

    /// Runs are cut at piece boundaries once they reach this size, so a second run is read while the first is
    /// digested.
    static let chunkByteCount = 64 << 20

    /// Reads the merged runs (two at a time, each digested as soon as it is in), and assembles every tensor.
    /// - Throws: ``CheckpointError`` `.corrupt` (a digest or length mismatch, a file shorter than recorded),
    ///   `.io`, naming the file and key.
    func execute() async throws -> [StateKey: HostBuffer] {
        let chunks = makeChunks()
        let backend = reader.backend
        let checkpoint = reader.checkpoint
        var buffers = [HostBuffer?](repeating: nil, count: chunks.count)
        try await withThrowingTaskGroup(of: (Int, HostBuffer).self) { group in
            var next = 0
            func start() {
                let index = next
                let chunk = chunks[index]
                next += 1
                group.addTask {
                    let buffer = try await backend.read(chunk.file, of: checkpoint, range: chunk.range)
                    guard buffer.byteCount == chunk.range.count else {
                        throw CheckpointError(.corrupt, file: chunk.file, "read \(buffer.byteCount) of \(chunk.range.count) bytes")
                    }
                    for check in chunk.checks {
                        let view = buffer.slice(check.range.lowerBound - chunk.range.lowerBound..<check.range.upperBound - chunk.range.lowerBound)
                        let digest = view.digest()
                        guard digest == check.digest else {
                            throw CheckpointError(
                                .corrupt, key: check.key, file: chunk.file,
                                "the piece \"\(check.name)\" has XXH3-128 \(digest), the manifest records \(check.digest)")
                        }
                    }
                    return (index, buffer)
                }
            }
            while next < min(2, chunks.count) { start() }
            while let (index, buffer) = try await group.next() {
                buffers[index] = buffer
                if next < chunks.count { start() }
            }
        }
        var spans: [String: [(range: Range<Int>, buffer: HostBuffer?)]] = [:]
        for (chunk, buffer) in zip(chunks, buffers) { spans[chunk.file, default: []].append((chunk.range, buffer)) }
        var result: [StateKey: HostBuffer] = [:]
        for target in targets {
            result[target.key] = assemble(target, spans: spans)
        }
        return result
    }

    /// The runs to read: per file, the segments' byte ranges merged where they touch, cut at segment boundaries
    /// into runs of about ``chunkByteCount``.
    private func makeChunks() -> [Chunk] {
        var byFile: [String: [Segment]] = [:]
        for segment in targets.flatMap(\.segments) where !segment.fileRange.isEmpty {
            byFile[segment.piece.file, default: []].append(segment)
        }
        var chunks: [Chunk] = []
        for file in byFile.keys.sorted() {
            var current: Chunk?
            for segment in byFile[file]!.sorted(by: { $0.fileRange.lowerBound < $1.fileRange.lowerBound }) {
                let check = verification == .wholePieces
                    ? [(name: segment.piece.name, key: segment.key, range: segment.fileRange, digest: segment.piece.digest)] : []
                if var open = current, segment.fileRange.lowerBound <= open.range.upperBound,
                    open.range.count < Self.chunkByteCount || segment.fileRange.lowerBound < open.range.upperBound
                {
                    open.range = open.range.lowerBound..<max(open.range.upperBound, segment.fileRange.upperBound)
                    open.checks += check
                    current = open
                } else {
                    if let open = current { chunks.append(open) }
                    current = Chunk(file: file, range: segment.fileRange, checks: check)
                }
            }
            if let open = current { chunks.append(open) }
        }
        return chunks
    }

    /// The tensor's bytes: a view of the run it lies in when one read piece is exactly the needed piece, else a
    /// fresh buffer the overlaps are copied into.
    private func assemble(_ target: Target, spans: [String: [(range: Range<Int>, buffer: HostBuffer?)]]) -> HostBuffer {
        var destination: HostBuffer?
        for segment in target.segments {
            let bytes = Self.view(of: segment.fileRange, in: spans[segment.piece.file] ?? [])
            let sourceOffset = (segment.overlap.lowerBound - segment.readElements.lowerBound) * target.width
            let count = segment.overlap.count * target.width
            if segment.overlap == target.needed && sourceOffset == 0 && bytes.byteCount == count { return bytes }
            let buffer = destination ?? HostBuffer(uninitializedByteCount: target.needed.count * target.width)
            destination = buffer
            bytes.withBytes { source in
                (buffer.baseAddress + (segment.overlap.lowerBound - target.needed.lowerBound) * target.width)
                    .copyMemory(from: source.baseAddress! + sourceOffset, byteCount: count)
            }
        }
        return destination ?? HostBuffer(uninitializedByteCount: 0)
    }

    /// A view of `range` inside the read run that holds it (an empty buffer for an empty range).
    private static func view(of range: Range<Int>, in spans: [(range: Range<Int>, buffer: HostBuffer?)]) -> HostBuffer {
        guard !range.isEmpty,
            let span = spans.first(where: { $0.range.lowerBound <= range.lowerBound && range.upperBound <= $0.range.upperBound }),
            let buffer = span.buffer
        else { return HostBuffer(uninitializedByteCount: 0) }
        return buffer.slice(range.lowerBound - span.range.lowerBound..<range.upperBound - span.range.lowerBound)
    }
}
