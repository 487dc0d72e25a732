import CairnConfig
import CairnConformance
import CairnCore
import CairnFSDP
import Foundation
import Testing

@Suite(.serialized) struct FSDPStrategyTests {
    /// Every law at 1, 2, 3 and 4 ranks. The kit's Qwen3 has dims 8, 16, 32 and 64, so 3 ranks shard unevenly
    /// (padded collectives) and 1, 2 and 4 evenly (collectives in place); its minimal model gives the runtime laws
    /// empty shards (a `[1]` and a `[5, 3]` on 4 ranks).
    @Test func fsdp2SatisfiesEveryLaw() async {
        await StrategyConformance.verify(FSDPStrategy.self, configuration: .init(), worldSizes: [1, 2, 3, 4])
    }

    /// Keeping units gathered from forward to backward changes when memory is freed, not the mathematics.
    @Test func fsdp2WithoutReshardingAfterForwardSatisfiesTheTrainingLaws() async {
        await StrategyConformance.verify(
            FSDPStrategy.self, configuration: .init(reshardAfterForward: false), worldSizes: [3, 4],
            laws: [.parityWithSingle, .resumeIsBitIdentical, .completeGradients, .consistentReplicas])
    }

    // MARK: - Configuration

    @Test func configurationDefaultsToReshardingAfterForward() throws {
        let configuration = try JSONDecoder().decode(FSDPStrategy.Configuration.self, from: Data("{}".utf8))
        #expect(configuration.reshardAfterForward)
        #expect(FSDPStrategy().configuration == configuration)
        #expect(FSDPStrategy.kind == "fsdp2")
    }

    @Test func configurationReadsReshardAfterForward() throws {
        let json = Data(#"{"reshard_after_forward": false, "name": "fsdp2", "world_size": 2}"#.utf8)
        let configuration = try JSONDecoder().decode(FSDPStrategy.Configuration.self, from: json)
        #expect(!configuration.reshardAfterForward)
    }

    @Test func configurationRejectsAnUnknownKey() throws {
        let json = Data(#"{"reshard_after_forward": true, "reshard_after_fwd": false}"#.utf8)
        let error = try #require(throws: ConfigurationError.self) {
            _ = try JSONDecoder().decode(FSDPStrategy.Configuration.self, from: json)
        }
        #expect(error.code == .unknownKey)
        #expect(error.keyPath == "dist_config.reshard_after_fwd")
        #expect(error.message.contains("reshard_after_forward"), "the error lists the options")
    }

    /// Through the YAML section and the registry, as `cairn train` builds the strategy from `dist_config`.
    @Test func yamlSectionSelectsAndConfiguresFSDP2() throws {
        var registry = StrategyRegistry()
        try registry.register(FSDPStrategy.self)
        func section(_ key: String, _ value: String) -> PluginSection {
            let position = InputPosition(file: "fsdp.yaml", line: 3, column: 3)
            return PluginSection(name: "fsdp2", worldSize: 4,
                                 options: [(key, YAMLNode(.scalar(value, isPlain: true), position: position))],
                                 keyPath: "dist_config")
        }
        let made = try section("reshard_after_forward", "false").decode { decoder in
            try registry.makeStrategy("fsdp2", from: decoder)
        }
        #expect((made as? FSDPStrategy)?.configuration.reshardAfterForward == false)
        let error = try #require(throws: ConfigurationError.self) {
            _ = try section("reshard_after_fwd", "false").decode { try registry.makeStrategy("fsdp2", from: $0) }
        }
        #expect(error.code == .unknownKey)
        #expect(error.keyPath == "dist_config.reshard_after_fwd")
    }

    @Test func configurationRejectsANonBooleanReshardAfterForward() {
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(FSDPStrategy.Configuration.self,
                                         from: Data(#"{"reshard_after_forward": "sometimes"}"#.utf8))
        }
    }
}
