import CairnCheckpoint
import CairnCore
import CairnEmbedded
import Testing

@Suite struct CheckpointRoundTripTests {
    @Test(arguments: [1, 2, 3, 4])
    func saveThenLoadAtTheSameWorldSizeIsBitIdentical(worldSize: Int) async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let manifest = try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: worldSize, step: 7, backend: backend)
        #expect(manifest.worldSize == worldSize && manifest.globalStep == 7)
        #expect(manifest.rankFiles.count == worldSize)
        let loaded = try await load({ makeState(rank: $0, worldSize: $1) }, worldSize: worldSize, step: 7, backend: backend)
        for rank in 0..<worldSize {
            let expected = makeState(rank: rank, worldSize: worldSize)
            #expect(loaded[rank].keys == expected.keys)
            for (key, value) in expected.entries {
                #expect(sameBits(loaded[rank][key], value), "rank \(rank) key \(key)")
            }
        }
    }

    @Test func inMemoryBackendRoundTripsToo() async throws {
        let backend = InMemoryBackend()
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 3, step: 1, backend: backend)
        let loaded = try await load({ makeState(rank: $0, worldSize: $1) }, worldSize: 3, step: 1, backend: backend)
        for rank in 0..<3 {
            for (key, value) in makeState(rank: rank, worldSize: 3).entries { #expect(sameBits(loaded[rank][key], value)) }
        }
    }

    @Test func layoutFollowsTheFormat() async throws {
        let folder = try TemporaryFolder()
        let backend = FileSystemBackend(root: folder.path)
        let manifest = try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 4, step: 3, backend: backend)
        #expect(
            manifest.files.map(\.path) == [
                "model/model-rank-00001-of-00004.safetensors", "model/model-rank-00002-of-00004.safetensors",
                "model/model-rank-00003-of-00004.safetensors", "model/model-rank-00004-of-00004.safetensors",
                "model/model.safetensors",
                "optimizer/optimizer-rank-00001-of-00004.safetensors", "optimizer/optimizer-rank-00002-of-00004.safetensors",
                "optimizer/optimizer-rank-00003-of-00004.safetensors", "optimizer/optimizer-rank-00004-of-00004.safetensors",
                "optimizer/optimizer.safetensors",
                "ranks/rank-00000.json", "ranks/rank-00001.json", "ranks/rank-00002.json", "ranks/rank-00003.json",
            ])
        let embed = try #require(manifest.tensors["model.embed_tokens.weight"])
        #expect(embed.pieces.map(\.elements) == [0..<6, 6..<12, 12..<15])
        #expect(embed.pieces.map(\.form) == [.rows, .rows, .rows])
        let flat = try #require(manifest.tensors["optimizer.state.model.embed_tokens.weight.exp_avg"])
        #expect(flat.pieces.map(\.elements) == [0..<4, 4..<8, 8..<12, 12..<15] && flat.pieces.allSatisfy { $0.form == .flat })
        #expect(manifest.tensors["optimizer.state.empty"]?.pieces == [])
        #expect(manifest.tensors["optimizer.state.scale"]?.pieces.map(\.elements) == [0..<1])
        let names = try FileSystemOperationsProbe.names(in: folder.path + "/checkpoint-3")
        #expect(names == ["COMPLETE", "manifest.json", "model", "optimizer", "ranks"])
        // The manifest's text shows offsets per dimension for row pieces and element ranges for flat ones.
        let text = String(decoding: manifest.encoded(), as: UTF8.self)
        #expect(text.contains(#""offsets": [2, 0]"#) && text.contains(#""elements": [4, 8]"#))
        #expect(try CheckpointManifest(json: manifest.encoded()) == manifest)
    }

    @Test func scalarsOfEveryRankAreKeptAndTheRightOneIsLoaded() async throws {
        let backend = InMemoryBackend()
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 2, backend: backend)
        let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 2))
        #expect(try await reader.rankState(rank: 1)["rng.seed"] == .int(Int64.max - 1))
        // At another world size every rank takes rank 0's values.
        let loaded = try await load({ makeState(rank: $0, worldSize: $1) }, worldSize: 3, step: 2, backend: backend)
        #expect(loaded.allSatisfy { $0["rng.seed"] == .int(Int64.max) && $0["dataloader.shuffle"] == .bool(true) })
    }
}

/// Lists a folder for layout checks.
enum FileSystemOperationsProbe {
    static func names(in path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

import Foundation

@Test func manifestSelfDigestIsTheLastMemberOfItsOwnEncoding() async throws {
    let backend = InMemoryBackend()
    let manifest = try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 4, backend: backend)
    let bytes = manifest.encoded()
    let parsed = try #require(try JSONParser.parse(bytes).objectValue)
    #expect(parsed.keys.last == "manifest_xxh3_128")
    // Re-encoding the parsed document gives the file back byte for byte.
    #expect(JSONWriter.encode(.object(parsed), options: .init(indentation: 2)) + [0x0A] == bytes)
}

import CairnJSON
