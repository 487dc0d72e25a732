import CairnCheckpoint
import CairnCore
import Testing

@Suite struct RankStateFileTests {
    @Test func everyScalarKindRoundTripsExactly() throws {
        var state = StateDict(standardScalars(rank: 1))
        state["model.w"] = .tensor(StateTensor(shape: [1], copying: [1]))
        let bytes = RankStateFile.encode(state, rank: 1, worldSize: 2)
        let decoded = try RankStateFile.decode(bytes, file: "ranks/rank-00001.json", rank: 1, worldSize: 2)
        #expect(decoded.keys == state.keys.filter { $0 != "model.w" })
        for (key, value) in decoded.entries { #expect(sameBits(value, state[key]), "\(key)") }
    }

    @Test(arguments: [
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "float", "value": 1}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "int", "value": 1.5}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "int", "value": 9223372036854775808}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "double", "value": 1e999}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "double", "bits": "xyz"}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "ints", "value": [1, "2"]}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "bool", "value": 1}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "int", "value": 1, "extra": 2}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 1, "world_size": 1, "values": {}}"#,
        #"{"format": "cairn-rank-state", "version": 2, "rank": 0, "world_size": 1, "values": {}}"#,
        #"{"format": "other", "version": 1, "rank": 0, "world_size": 1, "values": {}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"": {"type": "int", "value": 1}}}"#,
        #"{"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 1, "values": {"a": {"type": "int", "value": 1}, "a": {"type": "int", "value": 2}}}"#,
        "[1, 2]", "{", "",
    ])
    func malformedRankFilesAreRejected(text: String) {
        #expect(throws: CheckpointError.self) {
            _ = try RankStateFile.decode(Array(text.utf8), file: "ranks/rank-00000.json", rank: 0, worldSize: 1)
        }
    }
}
