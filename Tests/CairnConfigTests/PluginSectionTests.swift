import CairnConfig
import CairnCore
import Testing

@Suite struct PluginSectionTests {
    /// A strategy's options as a third party would write them.
    struct ShardingOptions: Decodable, Sendable {
        var bucketMB = 25
        var reshardAfterForward = true
        var mesh: Mesh?

        struct Mesh: Decodable, Sendable {
            var dpShard: Int
            enum CodingKeys: String, CodingKey { case dpShard = "dp_shard" }
        }

        enum CodingKeys: String, CodingKey {
            case bucketMB = "bucket_mb"
            case reshardAfterForward = "reshard_after_forward"
            case mesh
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            bucketMB = try container.decodeIfPresent(Int.self, forKey: .bucketMB) ?? 25
            reshardAfterForward = try container.decodeIfPresent(Bool.self, forKey: .reshardAfterForward) ?? true
            mesh = try container.decodeIfPresent(Mesh.self, forKey: .mesh)
        }
    }

    /// Options with no keys at all, like the `single` strategy's.
    struct NoOptions: Decodable, Sendable {}

    private func distSection(_ text: String) throws -> PluginSection {
        let configuration = try decode(
            TrainingConfiguration.self,
            """
            model: m
            train_dataset: d.yaml
            output_dir: out
            \(text)
            """, file: "run.yaml")
        return configuration.distConfig
    }

    // MARK: - Decoding options

    @Test func sectionReadsNameAndWorldSizeAndLeavesOptionsToTheStrategy() throws {
        let section = try distSection("dist_config: {name: fsdp2, world_size: 2, bucket_mb: 50, mesh: {dp_shard: 2}}")
        #expect(section.name == "fsdp2")
        #expect(section.worldSize == 2)
        #expect(section.optionKeys == ["bucket_mb", "mesh"])
        let viaDecoder = try ShardingOptions(from: section.decoder())
        #expect(viaDecoder.bucketMB == 50)
        #expect(viaDecoder.mesh?.dpShard == 2)
        let viaDecode = try section.decode(ShardingOptions.self)
        #expect(viaDecode.bucketMB == 50)
        let viaBody = try section.decode { try ShardingOptions(from: $0) }
        #expect(viaBody.reshardAfterForward)
    }

    @Test func decoderReportsUnknownStrategyKeysButNotNameOrWorldSize() throws {
        let section = try distSection("dist_config:\n  name: fsdp2\n  world_size: 2\n  bucket_mbb: 50\n")
        let eager = try #require(configurationError { _ = try ShardingOptions(from: section.decoder()) })
        #expect(eager.code == .unknownKey)
        #expect(
            eager.description
                == "run.yaml:7:3: dist_config.bucket_mbb: unknown key 'bucket_mbb'; did you mean 'bucket_mb'?")
        let full = try #require(configurationError { _ = try section.decode(ShardingOptions.self) })
        #expect(full.description == eager.description)
        let body = try #require(configurationError { _ = try section.decode { try ShardingOptions(from: $0) } })
        #expect(body.description == eager.description)
    }

    @Test func nestedOptionErrorsCarryTheSectionPath() throws {
        let section = try distSection("dist_config:\n  name: fsdp2\n  mesh:\n    dp_shard: two\n")
        let error = try #require(configurationError { _ = try ShardingOptions(from: section.decoder()) })
        #expect(error.description == "run.yaml:7:15: dist_config.mesh.dp_shard: expected an integer, found \"two\"")
        let unknown = try #require(
            configurationError {
                _ = try ShardingOptions(
                    from: try distSection("dist_config:\n  name: x\n  mesh: {dp_shard: 1, tp: 2}\n").decoder())
            })
        #expect(unknown.keyPath == "dist_config.mesh.tp")
        #expect(unknown.position?.description == "run.yaml:6:23")
    }

    @Test func optionsOfAStrategyWithoutOptionsAreUnknown() throws {
        let section = try distSection("dist_config: {name: single, world_size: 1, overlap: true}")
        let error = try #require(configurationError { _ = try section.decode(NoOptions.self) })
        #expect(error.code == .unknownKey)
        #expect(error.keyPath == "dist_config.overlap")
        #expect(error.position?.description == "run.yaml:4:44")
        #expect(throws: Never.self) { try distSection("dist_config: {name: single}").decode(NoOptions.self) }
    }

    @Test func registryFailuresBecomePositionedErrors() throws {
        let section = try distSection("dist_config:\n  name: fsdp9\n")
        let error = try #require(
            configurationError {
                _ = try section.decode { _ -> Int in
                    throw RegistryError(
                        .unknownKind, kind: "fsdp9", "no such strategy; registered strategies: ddp, single")
                }
            })
        #expect(error.code == .unknownKind)
        #expect(
            error.description
                == "run.yaml:5:9: dist_config.name: 'fsdp9': no such strategy; registered strategies: ddp, single")
    }

    @Test func locateResolvesKeysThrownAfterDecoding() throws {
        let section = try distSection("dist_config:\n  name: zero\n  stage: 4\n")
        let relative = section.locate(ConfigurationError(.outOfRange, keyPath: "stage", "must be 1, 2 or 3"))
        #expect(relative.description == "run.yaml:6:10: dist_config.stage: must be 1, 2 or 3")
        let absolute = section.locate(ConfigurationError(.outOfRange, keyPath: "dist_config.stage", "bad"))
        #expect(absolute.position?.description == "run.yaml:6:10")
    }

    // MARK: - Section shapes

    @Test func absentOrEmptyDistConfigMeansSingle() throws {
        for text in ["", "dist_config:", "dist_config: {}"] {
            let section = try distSection(text)
            #expect(section.name == "single", "\(text)")
            #expect(section.worldSize == 1)
            #expect(section.optionKeys.isEmpty)
        }
        #expect(try distSection("dist_config: {world_size: 3}").name == "single")
    }

    @Test func malformedSectionsAreReported() throws {
        let scalar = try #require(configurationError { _ = try distSection("dist_config: fsdp2") })
        #expect(scalar.code == .wrongType)
        #expect(
            scalar.description
                == "run.yaml:4:14: dist_config: expected a mapping such as {name: single}, found \"fsdp2\"")
        let size = try #require(configurationError { _ = try distSection("dist_config: {name: ddp, world_size: 0}") })
        #expect(size.description == "run.yaml:4:38: dist_config.world_size: must be ≥ 1, got 0")
        let peft = try #require(
            configurationError {
                _ = try decode(
                    TrainingConfiguration.self, "model: m\ntrain_dataset: d\noutput_dir: o\npeft_config:\n  r: 8\n",
                    file: "run.yaml")
            })
        #expect(peft.code == .missingKey)
        #expect(
            peft.description
                == "run.yaml:5:3: peft_config.name: missing required key 'name' "
                + "(which implementation this section configures)"
        )
    }

    @Test func sectionsBuiltInCodeDecodeTheirOptions() throws {
        let section = PluginSection(
            name: "lora",
            options: [
                (key: "r", value: YAMLNode(scalar: "8", position: InputPosition(file: "<code>", line: 1, column: 1)))
            ],
            keyPath: "peft_config")
        struct LoRAOptions: Decodable { var r: Int }
        #expect(try section.decode(LoRAOptions.self).r == 8)
        #expect(section.optionKeys == ["r"])
    }
}
