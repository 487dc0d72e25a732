import CairnCore
import Testing

@Suite struct StateKeyTests {
    @Test func stateKeyPrefixRespectsComponentBoundaries() {
        let key: StateKey = "model.layers.10.mlp.up_proj.weight"
        #expect(key.hasPrefix("model.layers.10"))
        #expect(!key.hasPrefix("model.layers.1"))
        #expect(key.removingPrefix("model") == "layers.10.mlp.up_proj.weight")
        #expect(key.removingPrefix("optimizer") == nil)
        #expect(key.first == "model")
    }

    @Test func stateKeyOrdersByUTF8Bytes() {
        let keys: [StateKey] = ["model.z", "model.a.b", "model.A", "lr_scheduler.steps_taken", "model.a"]
        #expect(keys.sorted().map(\.rawValue) == ["lr_scheduler.steps_taken", "model.A", "model.a", "model.a.b", "model.z"])
    }

    @Test func checkpointIDParsesOnlyCanonicalNames() {
        #expect(CheckpointID(name: "checkpoint-40")?.step == 40)
        #expect(CheckpointID(name: "checkpoint-040") == nil)
        #expect(CheckpointID(name: "checkpoint-40.tmp") == nil)
        #expect(CheckpointID(name: "checkpoint--1") == nil)
        #expect(CheckpointID(step: 7).name == "checkpoint-7")
    }
}
