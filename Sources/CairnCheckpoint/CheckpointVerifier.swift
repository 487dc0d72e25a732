public import CairnCore
import CairnSafetensors

/// Checks a checkpoint end to end without loading it into components: what `cairn verify` runs, and what a
/// resume runs before it trusts a checkpoint (DESIGN.md §8).
///
/// Checks, in order: the commit marker; the manifest (parse, self-digest, validation: safe paths, pieces that
/// tile every tensor exactly); every listed file present with the recorded size and XXH3-128; every safetensors
/// file's header valid, with each piece's tensor present under its name, with the recorded dtype, shape and
/// digest; every rank file well-formed. Each file is read once.
public enum CheckpointVerifier {
    /// Verifies `checkpoint` and reports every problem found (it never throws: a failure is a problem).
    public static func verify(backend: any CheckpointBackend, checkpoint: CheckpointID) async -> VerificationReport {
        var report = VerificationReport(
            checkpoint: checkpoint, location: nil, isCommitted: false, manifest: nil, problems: [], filesChecked: 0,
            bytesChecked: 0)
        do {
            let listings = try await backend.list().filter { $0.id == checkpoint }
            report.location = listings.first?.location
            guard !listings.isEmpty else {
                report.problems.append(.init(code: .notFound, message: "no such checkpoint"))
                return report
            }
            report.isCommitted = listings.contains(where: \.isCommitted)
            if !report.isCommitted {
                report.problems.append(
                    .init(code: .notCommitted, file: CheckpointPath.completeMarker,
                          message: "the commit marker is missing: the save never finished"))
            }
        } catch {
            report.problems.append(.init(error))
            return report
        }
        let manifest: CheckpointManifest
        do {
            let bytes = try await backend.read(CheckpointPath.manifest, of: checkpoint, range: nil)
            report.filesChecked += 1
            report.bytesChecked += bytes.byteCount
            manifest = try CheckpointManifest(json: bytes.byteArray())
            if manifest.globalStep != checkpoint.step {
                report.problems.append(.init(code: .malformed, file: CheckpointPath.manifest,
                                             message: "the manifest says global_step \(manifest.globalStep)"))
            }
        } catch {
            report.problems.append(.init(error, file: CheckpointPath.manifest))
            return report
        }
        report.manifest = manifest
        var piecesByFile: [String: [(key: StateKey, tensor: SavedTensor, piece: SavedTensor.Piece)]] = [:]
        for key in manifest.tensorKeys {
            let tensor = manifest.tensors[key]!
            for piece in tensor.pieces { piecesByFile[piece.file, default: []].append((key, tensor, piece)) }
        }
        for record in manifest.files {
            await check(record, pieces: piecesByFile[record.path] ?? [], manifest: manifest, backend: backend,
                        checkpoint: checkpoint, report: &report)
        }
        return report
    }

    // MARK: - Private helpers

    private static func check(
        _ record: CheckpointFileRecord, pieces: [(key: StateKey, tensor: SavedTensor, piece: SavedTensor.Piece)],
        manifest: CheckpointManifest, backend: any CheckpointBackend, checkpoint: CheckpointID,
        report: inout VerificationReport
    ) async {
        let path = record.path
        let bytes: HostBuffer
        do {
            bytes = try await backend.read(path, of: checkpoint, range: nil)
        } catch {
            report.problems.append(.init(error, file: path))
            return
        }
        report.filesChecked += 1
        report.bytesChecked += bytes.byteCount
        report.problems += bytes.withBytes { contents in
            problems(in: contents, record: record, pieces: pieces, manifest: manifest)
        }
    }

    /// What is wrong with the contents of one listed file.
    private static func problems(
        in contents: UnsafeRawBufferPointer, record: CheckpointFileRecord,
        pieces: [(key: StateKey, tensor: SavedTensor, piece: SavedTensor.Piece)], manifest: CheckpointManifest
    ) -> [VerificationReport.Problem] {
        let path = record.path
        guard contents.count == record.byteCount else {
            return [.init(code: .corrupt, file: path, message: "the file has \(contents.count) bytes, the manifest records \(record.byteCount)")]
        }
        let digest = CheckpointDigest.hex(of: contents)
        guard digest == record.digest else {
            return [.init(code: .corrupt, file: path, message: "the file's XXH3-128 is \(digest), the manifest records \(record.digest)")]
        }
        if let rank = manifest.rankFiles.firstIndex(of: path) {
            do {
                _ = try RankStateFile.decode(Array(contents), file: path, rank: rank, worldSize: manifest.worldSize)
            } catch {
                return [.init(error, file: path)]
            }
        }
        guard !pieces.isEmpty else { return [] }
        let layout: SafetensorsHeader.FileLayout
        do {
            layout = try SafetensorsHeader.decodeFile(contents, path: path)
        } catch {
            return [.init(code: .malformed, file: path, message: "invalid safetensors file: \(error.message)")]
        }
        var found: [VerificationReport.Problem] = []
        if layout.header.metadata != CheckpointWriter.tensorFileMetadata {
            found.append(.init(code: .malformed, file: path, message: "__metadata__ is \(layout.header.metadata)"))
        }
        for (key, tensor, piece) in pieces {
            guard let info = layout.header[piece.name] else {
                found.append(.init(code: .malformed, file: path, key: key, message: "the file has no tensor named \"\(piece.name)\""))
                continue
            }
            let shape = piece.localShape(globalShape: tensor.shape)
            guard info.elementType == tensor.elementType, info.shape == shape else {
                found.append(
                    .init(code: .malformed, file: path, key: key,
                          message: "\"\(piece.name)\" is \(info.elementType.rawValue)\(info.shape) in the file, "
                            + "\(tensor.elementType.rawValue)\(shape) in the manifest"))
                continue
            }
            let start = layout.dataOffset + info.dataOffsets.lowerBound
            let pieceDigest = CheckpointDigest.hex(of: UnsafeRawBufferPointer(rebasing: contents[start..<start + info.byteCount]))
            if pieceDigest != piece.digest {
                found.append(.init(code: .corrupt, file: path, key: key,
                                   message: "\"\(piece.name)\" has XXH3-128 \(pieceDigest), the manifest records \(piece.digest)"))
            }
        }
        return found
    }
}
