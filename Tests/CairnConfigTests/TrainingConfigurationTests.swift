import CairnConfig
import CairnCore
import Testing

@Suite struct TrainingConfigurationTests {
    /// A LlamaFactory-v1-style configuration using every key.
    static let complete = """
        model: models/qwen3-tiny
        model_class: llm
        tokenizer: byte
        template: chatml
        adapter_name_or_path: adapters/start
        train_dataset: data/v1_sft_demo.yaml
        cutoff_len: 256
        output_dir: outputs/run1
        seed: 7
        logging_steps: 5
        micro_batch_size: 2
        global_batch_size: 8
        num_train_epochs: 1.5
        max_steps: 200
        optim: sgd
        learning_rate: 1.0e-4
        weight_decay: 0.01
        adam_beta1: 0.8
        adam_beta2: 0.95
        adam_epsilon: 1e-6
        momentum: 0.9
        max_grad_norm: 0
        lr_scheduler_type: linear
        warmup_ratio: 0.1
        min_lr_ratio: 0.1
        save_steps: 50
        save_epochs: 0.5
        save_on_epoch_end: true
        save_total_limit: 3
        save_keep_every: 100
        save_async: true
        resume_from_checkpoint: auto
        dist_config:
          name: fsdp2
          world_size: 2
          reshard_after_forward: false
        peft_config:
          name: lora
          r: 16
          lora_alpha: 32
          lora_dropout: 0.05
          target_modules: all
        """

    static let minimal = "model: m\ntrain_dataset: d.yaml\noutput_dir: out\n"

    private func configuration(_ text: String, file: String = "tiny.yaml") throws -> TrainingConfiguration {
        try decode(TrainingConfiguration.self, text, file: file)
    }

    // MARK: - Decoding

    @Test func everyKeyDecodes() throws {
        let c = try configuration(Self.complete)
        #expect(c.model == "models/qwen3-tiny")
        #expect(c.modelClass == "llm")
        #expect(c.tokenizer == "byte")
        #expect(c.template == "chatml")
        #expect(c.adapterNameOrPath == "adapters/start")
        #expect(c.trainDataset == "data/v1_sft_demo.yaml")
        #expect(c.cutoffLen == 256)
        #expect(c.outputDir == "outputs/run1")
        #expect(c.seed == 7)
        #expect(c.loggingSteps == 5)
        #expect(c.microBatchSize == 2)
        #expect(c.globalBatchSize == 8)
        #expect(c.numTrainEpochs == 1.5)
        #expect(c.maxSteps == 200)
        #expect(c.optim == .sgd)
        #expect(c.learningRate == 1e-4)
        #expect(c.weightDecay == 0.01)
        #expect(c.adamBeta1 == 0.8)
        #expect(c.adamBeta2 == 0.95)
        #expect(c.adamEpsilon == 1e-6)
        #expect(c.momentum == 0.9)
        #expect(c.maxGradNorm == 0)
        #expect(c.lrSchedulerType == .linear)
        #expect(c.warmupSteps == nil)
        #expect(c.warmupRatio == 0.1)
        #expect(c.minLrRatio == 0.1)
        #expect(c.saveSteps == 50)
        #expect(c.saveEpochs == 0.5)
        #expect(c.saveOnEpochEnd)
        #expect(c.saveTotalLimit == 3)
        #expect(c.saveKeepEvery == 100)
        #expect(c.saveAsync)
        #expect(c.resumeFromCheckpoint == "auto")
        #expect(c.distConfig.name == "fsdp2")
        #expect(c.worldSize == 2)
        #expect(c.distConfig.optionKeys == ["reshard_after_forward"])
        #expect(c.peftConfig?.name == "lora")
        #expect(c.peftConfig?.optionKeys == ["r", "lora_alpha", "lora_dropout", "target_modules"])
        #expect(c.sourceFile == "tiny.yaml")
        #expect(c.keyPositions["learning_rate"]?.description == "tiny.yaml:16:16")
        #expect(c.keyPositions["dist_config.world_size"]?.description == "tiny.yaml:35:15")
        #expect(try c.gradientAccumulationSteps(worldSize: 2) == 2)
    }

    @Test func omittedKeysTakeTheirDefaults() throws {
        let c = try configuration(Self.minimal)
        var expected = TrainingConfiguration(model: "m", trainDataset: "d.yaml", outputDir: "out")
        expected.sourceFile = "tiny.yaml"
        #expect(c.normalizedText == expected.normalizedText)
        #expect(c.template == "qwen3_nothink")
        #expect(c.cutoffLen == 1024)
        #expect(c.seed == 42)
        #expect(c.loggingSteps == 10)
        #expect(c.microBatchSize == 1)
        #expect(c.globalBatchSize == nil)
        #expect(c.resolvedGlobalBatchSize() == 1)
        #expect(c.numTrainEpochs == 3.0)
        #expect(c.optim == .adamw)
        #expect(c.learningRate == 1e-4)
        #expect(c.adamBeta1 == 0.9)
        #expect(c.adamBeta2 == 0.999)
        #expect(c.adamEpsilon == 1e-8)
        #expect(c.maxGradNorm == 1.0)
        #expect(c.lrSchedulerType == .cosine)
        #expect(c.minLrRatio == 0)
        #expect(!c.saveOnEpochEnd && !c.saveAsync)
        #expect(c.distConfig.name == "single" && c.worldSize == 1)
        #expect(c.peftConfig == nil)
    }

    @Test func nullMeansDefault() throws {
        let c = try configuration(Self.minimal + "seed: ~\nmax_steps: null\ncutoff_len:\n")
        #expect(c.seed == 42)
        #expect(c.maxSteps == nil)
        #expect(c.cutoffLen == 1024)
    }

    // MARK: - Decoding errors

    @Test(arguments: [
        ("cutoff_len: 0", "tiny.yaml:4:13: cutoff_len: must be ≥ 1, got 0"),
        ("seed: -1", "tiny.yaml:4:7: seed: must be ≥ 0, got -1"),
        ("logging_steps: 0", "tiny.yaml:4:16: logging_steps: must be ≥ 1, got 0"),
        ("micro_batch_size: 0", "tiny.yaml:4:19: micro_batch_size: must be ≥ 1, got 0"),
        ("global_batch_size: -4", "tiny.yaml:4:20: global_batch_size: must be ≥ 1, got -4"),
        ("num_train_epochs: 0", "tiny.yaml:4:19: num_train_epochs: must be > 0.0, got 0.0"),
        ("max_steps: 0", "tiny.yaml:4:12: max_steps: must be ≥ 1, got 0"),
        ("learning_rate: -1e-4", "tiny.yaml:4:16: learning_rate: must be > 0.0, got -0.0001"),
        ("learning_rate: .nan", "tiny.yaml:4:16: learning_rate: must be > 0.0, got nan"),
        ("weight_decay: -0.1", "tiny.yaml:4:15: weight_decay: must be ≥ 0.0, got -0.1"),
        ("adam_beta1: 1.0", "tiny.yaml:4:13: adam_beta1: must be ≥ 0.0 and < 1.0, got 1.0"),
        ("adam_beta2: -0.5", "tiny.yaml:4:13: adam_beta2: must be ≥ 0.0 and < 1.0, got -0.5"),
        ("adam_epsilon: 0", "tiny.yaml:4:15: adam_epsilon: must be > 0.0, got 0.0"),
        ("momentum: -1", "tiny.yaml:4:11: momentum: must be ≥ 0.0, got -1.0"),
        ("max_grad_norm: -1", "tiny.yaml:4:16: max_grad_norm: must be ≥ 0.0, got -1.0"),
        ("warmup_steps: -1", "tiny.yaml:4:15: warmup_steps: must be ≥ 0, got -1"),
        ("warmup_ratio: 1.5", "tiny.yaml:4:15: warmup_ratio: must be between 0.0 and 1.0, got 1.5"),
        ("min_lr_ratio: -0.1", "tiny.yaml:4:15: min_lr_ratio: must be between 0.0 and 1.0, got -0.1"),
        ("save_steps: 0", "tiny.yaml:4:13: save_steps: must be ≥ 1, got 0"),
        ("save_epochs: 0", "tiny.yaml:4:14: save_epochs: must be > 0.0, got 0.0"),
        ("save_keep_every: 0", "tiny.yaml:4:18: save_keep_every: must be ≥ 1, got 0"),
        (
            "save_total_limit: 0",
            "tiny.yaml:4:19: save_total_limit: must be ≥ 1, got 0 "
                + "(it is how many checkpoints to keep; omit it to keep all)"
        ),
    ])
    func valuesOutOfRangeAreReportedAtTheValue(line: String, rendered: String) throws {
        let error = try #require(configurationError { _ = try configuration(Self.minimal + line) })
        #expect(error.code == .outOfRange)
        #expect(error.description == rendered)
    }

    @Test(arguments: [
        (
            "template: qwen3",
            "tiny.yaml:4:11: template: expected one of chatml, qwen3_nothink, found \"qwen3\"; "
                + "did you mean 'qwen3_nothink'?"
        ),
        ("model_class: vlm", "tiny.yaml:4:14: model_class: expected one of llm, found \"vlm\"; did you mean 'llm'?"),
        ("optim: adam", "tiny.yaml:4:8: optim: expected one of adamw, sgd, found \"adam\"; did you mean 'adamw'?"),
        (
            "lr_scheduler_type: cosine_with_restarts",
            "tiny.yaml:4:20: lr_scheduler_type: expected one of constant, linear, cosine, "
                + "found \"cosine_with_restarts\"; did you mean 'cosine'?"
        ),
        ("output_dir: ''", "tiny.yaml:4:13: output_dir: must not be empty"),
    ])
    func invalidValuesAreReported(line: String, rendered: String) throws {
        // `output_dir` appears twice otherwise; build the text without the minimal one for that case.
        let text =
            line.hasPrefix("output_dir")
            ? "model: m\ntrain_dataset: d.yaml\nlogging_steps: 1\n" + line : Self.minimal + line
        let error = try #require(configurationError { _ = try configuration(text) })
        #expect(error.code == .invalidValue)
        #expect(error.description == rendered)
    }

    @Test func wrongTypesAreReportedAtTheValue() throws {
        let error = try #require(
            configurationError {
                _ = try configuration(Self.minimal + "max_steps: 1e3\nseed: 1\n")
            })
        #expect(error.code == .wrongType)
        #expect(error.description == "tiny.yaml:4:12: max_steps: expected an integer, found the number 1e3")
        let flag = try #require(configurationError { _ = try configuration(Self.minimal + "save_async: yes\n") })
        #expect(flag.description == "tiny.yaml:4:13: save_async: expected a boolean (true or false), found \"yes\"")
    }

    @Test func missingRequiredKeysAreReportedAtTheDocument() throws {
        let error = try #require(configurationError { _ = try configuration("model: m\noutput_dir: out\n") })
        #expect(error.code == .missingKey)
        #expect(error.description == "tiny.yaml:1:1: train_dataset: missing required key 'train_dataset'")
    }

    @Test func misspelledKeysSuggestTheRightOne() throws {
        let error = try #require(configurationError { _ = try configuration(Self.minimal + "learning_rat: 1e-4\n") })
        #expect(error.code == .unknownKey)
        #expect(
            error.description
                == "tiny.yaml:4:1: learning_rat: unknown key 'learning_rat'; did you mean 'learning_rate'?")
        let required = try #require(
            configurationError {
                _ = try configuration("modle: m\ntrain_dataset: d\noutput_dir: o\n")
            })
        #expect(required.description == "tiny.yaml:1:1: modle: unknown key 'modle'; did you mean 'model'?")
    }

    @Test(arguments: [
        "kernel_config: {name: liger}", "quant_config: {name: bnb}", "sample_backend: vllm",
        "max_new_tokens: 128", "bf16: true",
    ])
    func llamaFactoryKeysCairnDoesNotImplementSaySo(line: String) throws {
        let error = try #require(configurationError { _ = try configuration(Self.minimal + line) })
        #expect(error.code == .unknownKey)
        #expect(error.position?.description == "tiny.yaml:4:1")
        #expect(error.message.contains("Cairn does not support"), "\(error.message)")
    }

    @Test func llamaFactoryV0NamesPointToCairnsName() throws {
        let error = try #require(
            configurationError {
                _ = try configuration(Self.minimal + "per_device_train_batch_size: 4\n")
            })
        #expect(
            error.description
                == "tiny.yaml:4:1: per_device_train_batch_size: unknown key 'per_device_train_batch_size': "
                + "this is LlamaFactory v0's name; Cairn reads 'micro_batch_size'")
    }

    @Test func errorsRenderWithFileLineColumnAndKeyPath() throws {
        let error = try #require(
            configurationError {
                _ = try configuration(Self.minimal + "dist_config:\n  name: ddp\n  world_size: two\n")
            })
        #expect(error.description == "tiny.yaml:6:15: dist_config.world_size: expected an integer, found \"two\"")
    }
}
