public import CairnCore

/// A training run's configuration, decoded from a LlamaFactory-v1-style YAML file plus `key=value` overrides.
///
/// ```yaml
/// model: models/qwen3-tiny          # a local Hugging Face folder with config.json
/// template: qwen3_nothink
/// train_dataset: data/demo.yaml     # a dataset spec YAML
/// output_dir: outputs/run1
/// micro_batch_size: 4
/// global_batch_size: 16
/// learning_rate: 1.0e-4
/// max_steps: 200
/// dist_config: {name: ddp, world_size: 2}
/// peft_config: {name: lora, r: 16, lora_alpha: 32, target_modules: all}
/// ```
/// Load it with ``load(file:overrides:)`` (parse → overrides → decode → ``validate()``). Ranges are checked while
/// decoding; cross-field rules and file existence in ``validate()``. Every error is a ``ConfigurationError`` with
/// the key path and file:line:column.
public struct TrainingConfiguration: Sendable {
    // MARK: - Model

    /// A local Hugging Face model folder holding `config.json` (required).
    public var model: String
    /// The model family; only `llm` (a causal language model).
    public var modelClass: String
    /// A `tokenizer.json` (or a folder holding one), `byte` for the built-in byte tokenizer, or `nil` for the
    /// default: the model folder's `tokenizer.json` if it exists, else the byte tokenizer. See ``tokenizerSource()``.
    public var tokenizer: String?
    /// The chat template: `chatml` or `qwen3_nothink` (default).
    public var template: String
    /// A LoRA adapter folder to start from, if any.
    public var adapterNameOrPath: String?

    // MARK: - Data

    /// The dataset spec YAML (required).
    public var trainDataset: String
    /// The longest sample in tokens; longer samples are truncated (≥ 1, default 1024).
    public var cutoffLen: Int

    // MARK: - Run

    /// Where checkpoints and logs go (required).
    public var outputDir: String
    /// The seed of every random stream (≥ 0, default 42).
    public var seed: Int
    /// Log every this many optimizer steps (≥ 1, default 10).
    public var loggingSteps: Int

    // MARK: - Batches and length

    /// Samples per rank per forward/backward pass (≥ 1, default 1).
    public var microBatchSize: Int
    /// Samples per optimizer step across all ranks, as written; `nil` means micro_batch_size × world_size.
    /// See ``resolvedGlobalBatchSize(worldSize:)``.
    public var globalBatchSize: Int?
    /// Epochs to train (> 0, default 3.0); ignored when ``maxSteps`` is set.
    public var numTrainEpochs: Double
    /// Optimizer steps to train (≥ 1); wins over ``numTrainEpochs``.
    public var maxSteps: Int?

    // MARK: - Optimizer

    /// `adamw` (default) or `sgd`.
    public var optim: OptimizerKind
    /// The peak learning rate (> 0, default 1e-4).
    public var learningRate: Double
    /// Decoupled weight decay (≥ 0, default 0).
    public var weightDecay: Double
    /// AdamW's β₁ (0 ≤ β₁ < 1, default 0.9).
    public var adamBeta1: Double
    /// AdamW's β₂ (0 ≤ β₂ < 1, default 0.999).
    public var adamBeta2: Double
    /// AdamW's ε (> 0, default 1e-8).
    public var adamEpsilon: Double
    /// SGD momentum (≥ 0, default 0).
    public var momentum: Double
    /// The global gradient-norm clip (≥ 0, default 1.0; 0 disables clipping).
    public var maxGradNorm: Double

    // MARK: - Schedule

    /// `constant`, `linear` or `cosine` (default).
    public var lrSchedulerType: SchedulerKind
    /// Warmup length in optimizer steps (≥ 0); exclusive with ``warmupRatio``.
    public var warmupSteps: Int?
    /// Warmup length as a fraction of the training steps (0…1); exclusive with ``warmupSteps``.
    public var warmupRatio: Double?
    /// The floor of the decayed learning rate as a fraction of the peak (0…1, default 0).
    public var minLrRatio: Double

    // MARK: - Checkpoints

    /// Save every this many optimizer steps (≥ 1).
    public var saveSteps: Int?
    /// Save every this many epochs, such as 0.5 (> 0).
    public var saveEpochs: Double?
    /// Save at the end of every epoch (default false).
    public var saveOnEpochEnd: Bool
    /// Keep at most this many committed checkpoints (≥ 1); `nil` keeps all.
    public var saveTotalLimit: Int?
    /// Additionally keep every checkpoint whose step is a multiple of this (≥ 1).
    public var saveKeepEvery: Int?
    /// Write checkpoints in the background (default false).
    public var saveAsync: Bool
    /// `auto` (the newest verified checkpoint in ``outputDir``), a checkpoint path, or `nil` to start fresh.
    public var resumeFromCheckpoint: String?

    // MARK: - Ranks

    /// Seconds a rank waits inside one collective for the others before the run fails instead of hanging
    /// (≥ 1, default 1800, as Hugging Face's `ddp_timeout`).
    public var ddpTimeout: Int

    // MARK: - Plugin sections

    /// The distribution strategy: `name` (default `single`), `world_size` (default 1) and its options.
    public var distConfig: PluginSection
    /// The PEFT method (`name: lora`, …) and its options, if any.
    public var peftConfig: PluginSection?

    // MARK: - Provenance

    /// The YAML file the configuration came from, if any (relative paths in the hint of a missing file).
    public var sourceFile: String?
    /// Where each decoded value was written, by dotted key path; ``validate()`` points its errors there.
    public var keyPositions: [String: InputPosition]

    // MARK: - Nested types

    /// The optimizer to build.
    public enum OptimizerKind: String, CaseIterable, Sendable, Decodable {
        case adamw, sgd
    }

    /// The learning-rate schedule after warmup.
    public enum SchedulerKind: String, CaseIterable, Sendable, Decodable {
        case constant, linear, cosine
    }

    /// The chat templates Cairn renders.
    public static let supportedTemplates = ["chatml", "qwen3_nothink"]
    /// The model classes Cairn trains.
    public static let supportedModelClasses = ["llm"]
    /// The ``tokenizer`` value that selects the built-in byte tokenizer.
    public static let byteTokenizerName = "byte"

    // MARK: - Initializers

    /// Creates a configuration in code with every optional key at its default.
    public init(model: String, trainDataset: String, outputDir: String) {
        self.model = model
        modelClass = "llm"
        tokenizer = nil
        template = "qwen3_nothink"
        adapterNameOrPath = nil
        self.trainDataset = trainDataset
        cutoffLen = 1024
        self.outputDir = outputDir
        seed = 42
        loggingSteps = 10
        microBatchSize = 1
        globalBatchSize = nil
        numTrainEpochs = 3.0
        maxSteps = nil
        optim = .adamw
        learningRate = 1e-4
        weightDecay = 0.0
        adamBeta1 = 0.9
        adamBeta2 = 0.999
        adamEpsilon = 1e-8
        momentum = 0.0
        maxGradNorm = 1.0
        lrSchedulerType = .cosine
        warmupSteps = nil
        warmupRatio = nil
        minLrRatio = 0.0
        saveSteps = nil
        saveEpochs = nil
        saveOnEpochEnd = false
        saveTotalLimit = nil
        saveKeepEvery = nil
        saveAsync = false
        resumeFromCheckpoint = nil
        ddpTimeout = 1800
        distConfig = PluginSection(name: "single", worldSize: 1, keyPath: "dist_config")
        peftConfig = nil
        sourceFile = nil
        keyPositions = [:]
    }

    // MARK: - Derived values

    /// `dist_config.world_size` (1 when absent).
    public var worldSize: Int { distConfig.worldSize ?? 1 }

    /// The global batch size: as written, or micro_batch_size × `worldSize` when absent.
    public func resolvedGlobalBatchSize(worldSize: Int? = nil) -> Int {
        globalBatchSize ?? microBatchSize * (worldSize ?? self.worldSize)
    }
}
