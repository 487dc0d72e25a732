import CairnConfig
import CairnCore
import Testing

@Suite struct ConfigurationOverrideTests {
    private let base = """
        max_steps: 100
        dist_config:
          name: ddp
          world_size: 4
        """

    private func apply(_ arguments: [String], to text: String? = nil) throws -> YAMLNode {
        try parse(text ?? base).applying(ConfigurationOverride.parse(arguments))
    }

    // MARK: - Applying

    @Test func overrideReplacesATopLevelValueWithCommandLinePosition() throws {
        let root = try apply(["max_steps=200"])
        let value = try #require(root["max_steps"])
        #expect(value.scalarText == "200")
        #expect(value.position.description == "<command line>:1:11")
        // The key keeps its place and position in the file.
        #expect(root.mappingPairs?.first?.key.position.description == "test.yaml:1:1")
    }

    @Test func overrideReplacesANestedValueAndKeepsItsSiblings() throws {
        let root = try apply(["max_steps=5", "dist_config.world_size=2"])
        let dist = try #require(root["dist_config"])
        #expect(dist.description == "{name: ddp, world_size: 2}")
        // "max_steps=5 " is 12 characters, so the second argument starts at column 13 and its value at 36.
        #expect(dist["world_size"]?.position.description == "<command line>:1:36")
    }

    @Test func overrideCreatesMissingIntermediateMappings() throws {
        let root = try apply(["peft_config.target_modules=[q_proj,v_proj]", "peft_config.name=lora"])
        let peft = try #require(root["peft_config"])
        #expect(peft.description == "{target_modules: [q_proj, v_proj], name: lora}")
        #expect(peft.position.description == "<command line>:1:1")
        #expect(
            peft["target_modules"]?.sequenceItems?.map(\.position.description)
                == ["<command line>:1:29", "<command line>:1:36"])
        #expect(peft.mappingPairs?.last?.key.position.description == "<command line>:1:56")
    }

    @Test func overrideTurnsANullValueIntoAMapping() throws {
        let root = try apply(["dist_config.name=fsdp2"], to: "dist_config:\n")
        #expect(root["dist_config"]?.description == "{name: fsdp2}")
    }

    @Test func overrideValuesAreFlowYAML() throws {
        let root = try apply(
            [
                "a={name: lora, r: 8}", "b='x: y'", "c=", "d=1e-4", "e=\"quoted\"", "f=http://host/path", "g=x y",
            ], to: "{}")
        #expect(root["a"]?.description == "{name: lora, r: 8}")
        #expect(root["b"]?.scalarText == "x: y")
        #expect(root["c"]?.isNull == true)
        #expect(root["d"]?.scalarText == "1e-4")
        #expect(root["e"]?.description == "\"quoted\"")
        #expect(root["f"]?.scalarText == "http://host/path")
        #expect(root["g"]?.scalarText == "x y")
    }

    @Test func overrideInsideAnAliasedSectionLeavesTheOtherUseAlone() throws {
        let root = try apply(["b.size=9"], to: "a: &shared {size: 1}\nb: *shared\n")
        #expect(root["a"]?.description == "{size: 1}")
        #expect(root["b"]?.description == "{size: 9}")
    }

    @Test func laterOverridesWin() throws {
        let root = try apply(["max_steps=1", "max_steps=2"])
        #expect(root["max_steps"]?.scalarText == "2")
    }

    // MARK: - Errors

    @Test(arguments: [
        (["max_steps"], "<command line>:1:1", "has no '='"),
        (["=3"], "<command line>:1:1", "empty key"),
        (["a..b=1"], "<command line>:1:1", "empty component"),
        (["a.=1"], "<command line>:1:1", "empty component"),
        (["ok=1", "list[0]=x"], "<command line>:1:6", "list indices"),
        (["max steps=3"], "<command line>:1:1", "spaces"),
    ])
    func malformedOverridesAreRejected(arguments: [String], position: String, problem: String) throws {
        let error = try #require(configurationError { _ = try ConfigurationOverride.parse(arguments) })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == position)
        #expect(error.message.contains(problem), "message: \(error.message)")
    }

    @Test func overrideWithAMalformedValueNamesTheArgumentAndColumn() throws {
        let error = try #require(
            configurationError {
                _ = try ConfigurationOverride.parse(["max_steps=5", "peft_config.target_modules=[q_proj,"])
            })
        #expect(error.code == .malformedInput)
        #expect(error.keyPath == "peft_config.target_modules")
        // The value ends at column 48 of "max_steps=5 peft_config.target_modules=[q_proj,"; libyaml notices the
        // missing ']' at the end of the input.
        #expect(error.position?.description == "<command line>:1:48")
        #expect(error.message.hasPrefix("override 'peft_config.target_modules': malformed YAML:"))
    }

    @Test func overrideWithABlockValueIsRejected() throws {
        let error = try #require(configurationError { _ = try ConfigurationOverride.parse(["run_name=a: b"]) })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == "<command line>:1:10")
        #expect(error.message.contains("block mapping"))
    }

    @Test func overrideThroughAScalarIsRejected() throws {
        let error = try #require(configurationError { _ = try apply(["max_steps.value=1"]) })
        #expect(error.code == .malformedInput)
        #expect(
            error.description
                == "<command line>:1:11: max_steps.value: cannot set 'max_steps.value': "
                + "'max_steps' is the integer 100 at "
                + "test.yaml:1:12, not a mapping")
    }

    @Test func overrideWithAWrongTypedValueFailsDecodingAtTheArgument() throws {
        struct Steps: Decodable {
            var maxSteps: Int
            enum CodingKeys: String, CodingKey { case maxSteps = "max_steps" }
        }
        let root = try apply(["max_steps=abc"], to: "max_steps: 1\n")
        let error = try #require(configurationError { _ = try YAMLDecoder().decode(Steps.self, from: root) })
        #expect(error.description == "<command line>:1:11: max_steps: expected an integer, found \"abc\"")
    }
}
