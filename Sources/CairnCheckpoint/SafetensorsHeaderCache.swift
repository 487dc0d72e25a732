import CairnCore
import CairnSafetensors

/// The validated headers of the safetensors files one read touches, each read once.
struct SafetensorsHeaderCache {
    private var layouts: [String: (header: SafetensorsHeader, dataOffset: Int)] = [:]

    /// Where `piece`'s bytes lie in its file, after checking that the file's header agrees with the manifest.
    mutating func dataRange(
        of piece: SavedTensor.Piece, in saved: SavedTensor, reader: CheckpointReader
    ) async throws -> Range<Int> {
        let layout: (header: SafetensorsHeader, dataOffset: Int)
        if let cached = layouts[piece.file] {
            layout = cached
        } else {
            layout = try await Self.readHeader(piece.file, reader: reader)
            layouts[piece.file] = layout
        }
        guard let info = layout.header[piece.name] else {
            throw CheckpointError(.malformed, file: piece.file, "the file has no tensor named \"\(piece.name)\"")
        }
        let shape = piece.localShape(globalShape: saved.shape)
        guard info.elementType == saved.elementType, info.shape == shape else {
            throw CheckpointError(.malformed, file: piece.file, "\"\(piece.name)\" is \(info.elementType.rawValue)\(info.shape) "
                                  + "in the file, \(saved.elementType.rawValue)\(shape) in the manifest")
        }
        return layout.dataOffset + info.dataOffsets.lowerBound..<layout.dataOffset + info.dataOffsets.upperBound
    }

    /// Reads and validates the header of `path`, whose size the manifest records.
    static func readHeader(
        _ path: String, reader: CheckpointReader
    ) async throws -> (header: SafetensorsHeader, dataOffset: Int) {
        guard let record = reader.manifest.file(path) else {
            throw CheckpointError(.malformed, file: path, "the manifest does not list this file")
        }
        guard record.byteCount >= 8 else { throw CheckpointError(.corrupt, file: path, "the file is too short for a safetensors header") }
        let prefix = try await reader.backend.read(path, of: reader.checkpoint, range: 0..<8)
        let announced = UInt64(littleEndian: prefix.withBytes { $0.loadUnaligned(as: UInt64.self) })
        guard announced <= UInt64(min(SafetensorsHeader.maximumByteCount, record.byteCount - 8)) else {
            throw CheckpointError(.corrupt, file: path, "the header claims \(announced) bytes; the file has \(record.byteCount)")
        }
        let json = try await reader.backend.read(path, of: reader.checkpoint, range: 8..<8 + Int(announced))
        do {
            let dataByteCount = record.byteCount - 8 - Int(announced)
            let header = try json.withBytes { bytes throws(SafetensorsError) in
                try SafetensorsHeader.decode(json: bytes, dataByteCount: dataByteCount, path: path)
            }
            guard header.metadata == CheckpointWriter.tensorFileMetadata else {
                throw CheckpointError(.corrupt, file: path, "the header's __metadata__ is \(header.metadata), Cairn writes \(CheckpointWriter.tensorFileMetadata)")
            }
            return (header, 8 + Int(announced))
        } catch let error as SafetensorsError {
            throw CheckpointError(.malformed, file: path, "the safetensors header is invalid: \(error.message)", cause: error)
        }
    }
}
