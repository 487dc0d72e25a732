import CairnCheckpoint
import CairnCore
import Foundation
import Testing

/// Saves a small two-rank checkpoint with an extra file into a fresh folder and returns the folder.
private func savedCheckpoint() async throws -> (TemporaryFolder, CheckpointManifest) {
    let folder = try TemporaryFolder()
    let backend = FileSystemBackend(root: folder.path)
    let config = CheckpointFile(path: "model/config.json", parts: [HostBuffer(copying: Array(#"{"hidden_size": 8}"#.utf8))])
    let manifest = try await save(
        { makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 5, backend: backend, extraFiles: [config])
    return (folder, manifest)
}

enum Damage: CaseIterable, Sendable {
    case truncateByOne, truncateToHalf, flipFirstByte, flipMiddleByte, flipLastByte

    func apply(to path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard !bytes.isEmpty else { return }
        switch self {
        case .truncateByOne: bytes.removeLast()
        case .truncateToHalf: bytes = Array(bytes.prefix(bytes.count / 2))
        case .flipFirstByte: bytes[0] ^= 0x01
        case .flipMiddleByte: bytes[bytes.count / 2] ^= 0x10
        case .flipLastByte: bytes[bytes.count - 1] ^= 0x80
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

@Suite struct CorruptionTests {
    @Test(arguments: Damage.allCases)
    func damageToAnyFileIsReportedAndNeverLoaded(damage: Damage) async throws {
        let (folder, manifest) = try await savedCheckpoint()
        let checkpoint = folder.path + "/checkpoint-5"
        let pristine = folder.path + "/pristine"
        try FileManager.default.copyItem(atPath: checkpoint, toPath: pristine)
        for path in manifest.files.map(\.path) + [CheckpointPath.manifest] {
            try FileManager.default.removeItem(atPath: checkpoint)
            try FileManager.default.copyItem(atPath: pristine, toPath: checkpoint)
            try damage.apply(to: checkpoint + "/" + path)
            let backend = FileSystemBackend(root: folder.path)
            let id = CheckpointID(step: 5)

            let report = await CheckpointVerifier.verify(backend: backend, checkpoint: id)
            #expect(!report.isValid, "\(damage) of \(path) passed verification")
            #expect(report.damagedFiles.contains(path), "\(damage) of \(path): report names \(report.damagedFiles)")

            let error = await checkpointError {
                let reader = try await CheckpointReader(backend: backend, checkpoint: id)
                if path == "model/config.json" {
                    _ = try await reader.readFile(path)
                } else {
                    _ = try await load({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 5, backend: backend)
                }
            }
            let code = try #require(error?.code, "\(damage) of \(path) loaded")
            #expect([.corrupt, .malformed].contains(code), "\(damage) of \(path): \(String(describing: error))")
        }
    }

    @Test func aMissingFileOrMarkerIsReported() async throws {
        let (folder, _) = try await savedCheckpoint()
        let backend = FileSystemBackend(root: folder.path)
        let id = CheckpointID(step: 5)
        try FileManager.default.removeItem(atPath: folder.path + "/checkpoint-5/optimizer/optimizer-rank-00002-of-00002.safetensors")
        let report = await CheckpointVerifier.verify(backend: backend, checkpoint: id)
        #expect(report.problems.map(\.code) == [.notFound])
        #expect(report.damagedFiles == ["optimizer/optimizer-rank-00002-of-00002.safetensors"])
        try FileManager.default.removeItem(atPath: folder.path + "/checkpoint-5/COMPLETE")
        let unmarked = await CheckpointVerifier.verify(backend: backend, checkpoint: id)
        #expect(!unmarked.isCommitted && unmarked.problems.first?.code == .notCommitted)
    }

    @Test func anIntactCheckpointVerifiesAndSummarizes() async throws {
        let (folder, manifest) = try await savedCheckpoint()
        let backend = FileSystemBackend(root: folder.path)
        let report = await CheckpointVerifier.verify(backend: backend, checkpoint: CheckpointID(step: 5))
        #expect(report.isValid && report.problems.isEmpty)
        #expect(report.filesChecked == manifest.files.count + 1)
        let summary = try await CheckpointSummary.inspect(backend: backend, checkpoint: CheckpointID(step: 5))
        #expect(summary.isCommitted && summary.worldSize == 2 && summary.globalStep == 5)
        #expect(summary.tensors.map(\.key) == standardTensors.map(\.key).sorted())
        #expect(summary.tensors.first { $0.key == "model.embed_tokens.weight" }?.pieceCount == 2)
        #expect(summary.totalByteCount == manifest.totalByteCount && summary.strategyKind == "test")
    }
}
