public import CairnConfig
public import CairnCore
public import CairnData
public import CairnNN
import CairnCheckpoint
public import CairnLoRA
import Foundation
public import Logging

/// Everything a run needs that every rank shares, prepared once per process: the validated configuration, the
/// model architecture, the tokenized dataset, the strategy, and the step counts derived from them.
public struct TrainingPlan: Sendable {
    /// The configuration.
    public var configuration: TrainingConfiguration
    /// The model architecture.
    public var model: Qwen3Configuration
    /// Whether the model folder holds weights to start from (otherwise the model is initialised from the seed).
    public var hasPretrainedWeights: Bool
    /// The tokenizer.
    public var tokenizer: any Tokenizer
    /// Where the tokenizer came from (`byte` or a `tokenizer.json` path), recorded beside saved models.
    public var tokenizerReference: String
    /// The tokenized training samples, in dataset order.
    public var samples: [TokenizedSample]
    /// The strategy every rank runs.
    public var strategy: any DistStrategy
    /// LoRA's options when `peft_config` asks for it.
    public var lora: LoRAConfiguration?
    /// The strategies this program knows (to judge whether a checkpoint saved by another can be resharded).
    public var strategies: StrategyRegistry
    /// Identifies the base model (config and weights, or the seed), recorded in checkpoints.
    public var modelFingerprint: String
    /// The number of ranks.
    public var worldSize: Int
    /// Samples per optimizer step, all ranks together.
    public var globalBatchSize: Int
    /// Micro-steps per optimizer step on each rank.
    public var accumulationSteps: Int
    /// Optimizer steps of the whole run.
    public var totalSteps: Int
    /// Warmup steps of the schedule.
    public var warmupSteps: Int
    /// The id right-padded positions hold.
    public var paddingTokenID: Int32

    /// Creates a plan from parts (tests and benchmarks build synthetic ones; runs use ``make(_:strategies:logger:)``).
    public init(
        configuration: TrainingConfiguration, model: Qwen3Configuration, hasPretrainedWeights: Bool,
        tokenizer: any Tokenizer, tokenizerReference: String, samples: [TokenizedSample], strategy: any DistStrategy,
        strategies: StrategyRegistry, modelFingerprint: String, worldSize: Int, globalBatchSize: Int, accumulationSteps: Int, totalSteps: Int, warmupSteps: Int,
        paddingTokenID: Int32
    ) {
        self.configuration = configuration
        self.model = model
        self.hasPretrainedWeights = hasPretrainedWeights
        self.tokenizer = tokenizer
        self.tokenizerReference = tokenizerReference
        self.samples = samples
        self.strategy = strategy
        self.lora = nil
        self.strategies = strategies
        self.modelFingerprint = modelFingerprint
        self.worldSize = worldSize
        self.globalBatchSize = globalBatchSize
        self.accumulationSteps = accumulationSteps
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
        self.paddingTokenID = paddingTokenID
    }

    /// Prepares a run: loads the model config, tokenizer and dataset, builds the strategy, derives step counts.
    /// - Throws: ``ConfigurationError`` (with position where the value came from YAML), `DataError`,
    ///   ``RegistryError`` for an unknown strategy.
    public static func make(
        _ configuration: TrainingConfiguration, strategies: StrategyRegistry, logger: Logger
    ) throws -> TrainingPlan {
        let model = try Qwen3Configuration.load(contentsOf: configuration.model)
        let tokenizerReference: String
        switch configuration.tokenizerSource() {
        case .byteLevel: tokenizerReference = TokenizerLoader.byteTokenizerName
        case .huggingFace(let path): tokenizerReference = path
        }
        let tokenizer = try TokenizerLoader.load(tokenizerReference)
        guard tokenizer.vocabularySize <= model.vocabularySize else {
            throw ConfigurationError(
                .invalidValue, keyPath: "tokenizer", position: configuration.keyPositions["model"],
                "the tokenizer has \(tokenizer.vocabularySize) tokens but the model's vocab_size is \(model.vocabularySize)")
        }
        let template = try ChatTemplate(named: configuration.template)
        let dataset = try TokenizedDataset.load(
            specFile: configuration.trainDataset, template: template, tokenizer: tokenizer,
            cutoffLength: configuration.cutoffLen)
        let strategy = try configuration.distConfig.decode { decoder in
            try strategies.makeStrategy(StrategyKind(configuration.distConfig.name), from: decoder)
        }
        let lora = try Self.loraConfiguration(configuration)
        let worldSize = configuration.worldSize
        let globalBatchSize = configuration.resolvedGlobalBatchSize(worldSize: worldSize)
        let accumulationSteps = try configuration.gradientAccumulationSteps(worldSize: worldSize)
        let totalSteps = configuration.maxSteps
            ?? max(1, Int((configuration.numTrainEpochs * Double(dataset.samples.count) / Double(globalBatchSize)).rounded(.up)))
        let warmupSteps = configuration.warmupSteps
            ?? Int((Double(totalSteps) * (configuration.warmupRatio ?? 0)).rounded(.up))
        logger.info("""
            dataset: \(dataset.samples.count) samples from \(dataset.conversationCount) conversations \
            (\(dataset.truncatedSampleCount) truncated to \(configuration.cutoffLen) tokens, \
            \(dataset.droppedSampleCount) dropped without loss tokens), \(dataset.tokenCount) tokens, \
            \(dataset.lossTokenCount) with loss
            """)
        let hasWeights = Qwen3ForCausalLM.hasWeights(inFolder: configuration.model)
        let fingerprint: String
        do {
            fingerprint = try ModelFingerprint.compute(folder: configuration.model, hasWeights: hasWeights,
                                                       seed: configuration.seed)
        } catch {
            throw ConfigurationError(.missingFile, keyPath: "model", position: configuration.keyPositions["model"],
                                     "cannot read the model files of \(configuration.model)", cause: error)
        }
        var plan = TrainingPlan(
            configuration: configuration, model: model, hasPretrainedWeights: hasWeights, tokenizer: tokenizer,
            tokenizerReference: tokenizerReference, samples: dataset.samples, strategy: strategy,
            strategies: strategies, modelFingerprint: fingerprint, worldSize: worldSize,
            globalBatchSize: globalBatchSize, accumulationSteps: accumulationSteps, totalSteps: totalSteps,
            warmupSteps: warmupSteps, paddingTokenID: tokenizer.paddingTokenID ?? 0)
        plan.lora = lora
        if let lora {
            let start = configuration.adapterNameOrPath.map { "; adapters start from \($0)" } ?? ""
            logger.info("LoRA: rank \(lora.rank), alpha \(lora.alpha), dropout \(lora.dropout), targets \(lora.targetModules.joined(separator: ", ")); the base model is frozen\(start)")
        }
        return plan
    }

    /// The strategy each rank runs: LoRA around the configured strategy when `peft_config` asks for it.
    var effectiveStrategy: any DistStrategy {
        guard let lora else { return strategy }
        return LoRAStrategy(wrapping: strategy, configuration: lora, initialAdapter: configuration.adapterNameOrPath)
    }

    /// How checkpoints name and place model tensors: Hugging Face names in `model/`, or, for LoRA, PEFT names in
    /// `adapter/adapter_model…` (only the adapters are saved).
    var checkpointNaming: CheckpointNaming {
        guard lora != nil else { return CheckpointNaming { Qwen3ForCausalLM.huggingFaceName(for: $0) } }
        return CheckpointNaming(
            modelTensorName: { Qwen3ForCausalLM.peftName(for: $0) }, modelFolder: "adapter",
            modelFileStem: "adapter_model")
    }
}
