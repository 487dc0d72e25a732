import CairnConfig
import CairnCore
import Foundation
import Testing

@Suite struct TrainingConfigurationValidationTests {
    /// A folder with a model (config.json + tokenizer.json), a dataset spec and the configuration file.
    struct Workspace {
        let folder: TemporaryFolder
        let modelPath: String
        let datasetPath: String

        init() throws {
            folder = try TemporaryFolder()
            modelPath = try folder.makeFolder("models/tiny")
            try folder.write("models/tiny/config.json", "{}")
            datasetPath = try folder.write("data/demo.yaml", "demo: {path: demo.jsonl, converter: messages}\n")
        }

        /// Writes a configuration with `extra` lines and returns its path.
        func writeConfiguration(_ extra: String = "", model: String? = nil, dataset: String? = nil) throws -> String {
            try folder.write(
                "configs/run.yaml",
                """
                model: \(model ?? modelPath)
                train_dataset: \(dataset ?? datasetPath)
                output_dir: \(folder.path)/outputs
                \(extra)
                """)
        }
    }

    // MARK: - Cross-field rules

    @Test func validConfigurationPasses() throws {
        let workspace = try Workspace()
        let c = try TrainingConfiguration.load(
            file: workspace.writeConfiguration(
                "micro_batch_size: 2\nglobal_batch_size: 8\ndist_config: {name: ddp, world_size: 2}"))
        #expect(try c.gradientAccumulationSteps(worldSize: 2) == 2)
        #expect(try c.gradientAccumulationSteps(worldSize: 4) == 1)
    }

    @Test func globalBatchMustBeAMultipleOfMicroBatchTimesWorldSize() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration(
            "micro_batch_size: 2\nglobal_batch_size: 10\ndist_config: {name: ddp, world_size: 2}")
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .invalidValue)
        #expect(
            error.description == "\(path):5:20: global_batch_size: 10 is not a multiple of micro_batch_size × "
                + "world_size = 2 × 2 = 4; use 8 or 12")
        let small = try decode(
            TrainingConfiguration.self,
            "model: m\ntrain_dataset: d\noutput_dir: o\nmicro_batch_size: 4\nglobal_batch_size: 2\n")
        let smallError = try #require(configurationError { _ = try small.gradientAccumulationSteps(worldSize: 1) })
        #expect(smallError.message.hasSuffix("use 4"))
    }

    @Test func warmupStepsAndRatioAreExclusive() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration("warmup_steps: 10\nwarmup_ratio: 0.1")
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .invalidValue)
        #expect(
            error.description == "\(path):5:15: warmup_ratio: warmup_steps and warmup_ratio are both set "
                + "(warmup_steps is at \(path):4:15); set only one of them")
    }

    // MARK: - Files

    @Test func missingDatasetIsAMissingFileAtItsKey() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration(dataset: "/nonexistent/spec.yaml")
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .missingFile)
        #expect(
            error.description == "\(path):2:16: train_dataset: the dataset spec '/nonexistent/spec.yaml' does not exist"
        )
    }

    @Test func datasetRelativeToTheConfigurationFolderIsHinted() throws {
        let workspace = try Workspace()
        try workspace.folder.write("configs/local.yaml", "x: {path: x.jsonl, converter: alpaca}\n")
        let path = try workspace.writeConfiguration(dataset: "local.yaml")
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .missingFile)
        #expect(error.position?.description == "\(path):2:16")
        #expect(error.message.contains("relative paths resolve against the current directory"))
        #expect(
            error.message.contains(
                "it exists relative to the configuration file's folder as '\(workspace.folder.path)/configs/local.yaml'"
            ))
    }

    @Test func missingModelFolderSuggestsDownloadingAHubModel() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration(model: "Qwen/Qwen3-4B-NotDownloaded")
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .missingFile)
        #expect(error.position?.description == "\(path):1:8")
        #expect(error.message.hasPrefix("the model folder 'Qwen/Qwen3-4B-NotDownloaded' does not exist"))
        #expect(error.message.contains("huggingface-cli download Qwen/Qwen3-4B-NotDownloaded"))
    }

    @Test func modelFolderWithoutConfigJSONIsRejected() throws {
        let workspace = try Workspace()
        let empty = try workspace.folder.makeFolder("models/empty")
        let path = try workspace.writeConfiguration(model: empty)
        let error = try #require(configurationError { _ = try TrainingConfiguration.load(file: path) })
        #expect(error.code == .missingFile)
        #expect(
            error.description == "\(path):1:8: model: the model folder '\(empty)' has no config.json; point "
                + "'model' at a Hugging Face model folder")
    }

    @Test func tokenizerAndAdapterPathsMustExist() throws {
        let workspace = try Workspace()
        let tokenizer = try #require(
            configurationError {
                _ = try TrainingConfiguration.load(
                    file: workspace.writeConfiguration("tokenizer: /nonexistent/tok.json"))
            })
        #expect(tokenizer.keyPath == "tokenizer")
        #expect(tokenizer.code == .missingFile)
        let adapter = try #require(
            configurationError {
                _ = try TrainingConfiguration.load(
                    file: workspace.writeConfiguration("adapter_name_or_path: /nonexistent/a"))
            })
        #expect(adapter.keyPath == "adapter_name_or_path")
    }

    @Test func tokenizerSourceFollowsTheDocumentedDefault() throws {
        let workspace = try Workspace()
        var c = try TrainingConfiguration.load(file: workspace.writeConfiguration())
        #expect(c.tokenizerSource() == .byteLevel)
        try workspace.folder.write("models/tiny/tokenizer.json", "{}")
        #expect(c.tokenizerSource() == .huggingFace(path: workspace.modelPath + "/tokenizer.json"))
        c.tokenizer = "byte"
        #expect(c.tokenizerSource() == .byteLevel)
        c.tokenizer = workspace.modelPath
        #expect(c.tokenizerSource() == .huggingFace(path: workspace.modelPath + "/tokenizer.json"))
        #expect(throws: Never.self) { try c.validate() }
    }

    // MARK: - Loading

    @Test func loadAppliesOverridesBeforeDecoding() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration("max_steps: 10\ndist_config:\n  name: ddp\n  world_size: 4")
        let c = try TrainingConfiguration.load(
            file: path,
            overrides: [
                "max_steps=200", "dist_config.world_size=2", "peft_config.name=lora",
                "peft_config.target_modules=[q_proj,v_proj]",
            ])
        #expect(c.maxSteps == 200)
        #expect(c.worldSize == 2)
        #expect(c.distConfig.name == "ddp")
        #expect(c.peftConfig?.name == "lora")
        #expect(c.peftConfig?.node["target_modules"]?.description == "[q_proj, v_proj]")
        #expect(c.keyPositions["max_steps"]?.description == "<command line>:1:11")
        #expect(c.sourceFile == path)
    }

    @Test func loadReportsBadOverrideValuesAtTheCommandLine() throws {
        let workspace = try Workspace()
        let path = try workspace.writeConfiguration()
        let error = try #require(
            configurationError {
                _ = try TrainingConfiguration.load(file: path, overrides: ["seed=1", "dist_config.world_size=two"])
            })
        #expect(error.description == "<command line>:1:31: dist_config.world_size: expected an integer, found \"two\"")
        let unknown = try #require(
            configurationError {
                _ = try TrainingConfiguration.load(file: path, overrides: ["max_step=5"])
            })
        #expect(
            unknown.description == "<command line>:1:1: max_step: unknown key 'max_step'; did you mean 'max_steps'?")
    }

    @Test func loadReportsAMissingConfigurationFile() throws {
        let error = try #require(
            configurationError { _ = try TrainingConfiguration.load(file: "/nonexistent/run.yaml") })
        #expect(error.code == .missingFile)
        #expect(error.message.contains("/nonexistent/run.yaml"))
    }
}
