import CairnCheckpoint
import CairnCore
import Testing

@Suite struct CheckpointPathTests {
    @Test func cairnFileNamesFollowTheFormat() {
        #expect(CheckpointPath.rankState(rank: 3) == "ranks/rank-00003.json")
        #expect(CheckpointPath.tensorFile(namespace: "model", shardOf: nil, worldSize: 4) == "model/model.safetensors")
        #expect(CheckpointPath.tensorFile(namespace: "optimizer", shardOf: 1, worldSize: 4)
            == "optimizer/optimizer-rank-00002-of-00004.safetensors")
        #expect(CheckpointPath.tensorFile(namespace: "model", shardOf: 123_455, worldSize: 123_456)
            == "model/model-rank-123456-of-123456.safetensors")
    }

    @Test(arguments: [
        ("a/b.json", true), ("model/model.safetensors", true), ("x", true), ("..a/b", true), ("", false), ("/a", false),
        ("a/../b", false), ("..", false), (".", false), ("a/./b", false), ("a//b", false), ("a/", false), ("a\\b", false),
        ("a\u{0}b", false), (String(repeating: "x", count: 256), false),
    ])
    func pathsMustStayInsideTheCheckpoint(path: String, isSafe: Bool) {
        #expect(CheckpointPath.isSafe(path) == isSafe)
        if !isSafe {
            #expect(throws: CheckpointError.self) { try CheckpointPath.validate(path) }
        }
    }
}
