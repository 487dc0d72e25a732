import CairnConfig
import CairnCore
import CairnData
import CairnLoRA
import CairnNN
import CairnTrainer

/// The tiny training problem every strategy law runs: a Qwen3 built in code and synthetic token samples, so the
/// kit needs no files and a whole run takes a fraction of a second even in a debug build.
///
/// The model is small but complete (two decoder layers, grouped-query attention, an untied head so a checkpoint
/// carries `lm_head`); the samples have lengths 3 to 13 and a prompt without loss, so micro-batches differ in
/// shape and in loss-token count, which is what exposes a strategy that averages where it should sum.
struct StrategyConformanceFixture: Sendable {
    /// The architecture: hidden 32, 2 layers, 4 query and 2 key-value heads of 8, MLP 64, vocabulary 64.
    static let model = Qwen3Configuration(
        vocabularySize: 64, hiddenSize: 32, intermediateSize: 64, layerCount: 2, attentionHeadCount: 4,
        keyValueHeadCount: 2, headDimension: 8, rmsNormEpsilon: 1e-6, ropeTheta: 10_000, maxPositionEmbeddings: 64,
        tiesWordEmbeddings: false, initializerRange: 0.2)

    /// The number of samples in one epoch: two global batches of the default size, so six steps cross three
    /// epoch boundaries and the data order is exercised across reshuffles.
    static let sampleCount = 24

    /// The options the runs use.
    let options: StrategyConformance.Options
    /// The samples, drawn once from `PhiloxRandom` under the options' seed.
    let samples: [TokenizedSample]

    init(options: StrategyConformance.Options) {
        self.options = options
        var generator = PhiloxRandom(seed: UInt64(options.seed), label: "conformance.samples")
        let vocabulary = UInt32(Self.model.vocabularySize)
        samples = (0..<Self.sampleCount).map { _ in
            let length = 4 + Int(generator.next32() % 11)
            let tokens = (0..<length).map { _ in Int32(generator.next32() % vocabulary) }
            let promptLength = Int(generator.next32() % UInt32(length / 2))
            let targets = tokens.dropFirst().enumerated().map { index, token in
                index < promptLength ? TokenizedSample.ignoreIndex : token
            }
            return TokenizedSample(inputIDs: Array(tokens.dropLast()), targets: targets)
        }
    }

    /// The canonical keys of the model's parameters, sorted, and which of them are trainable: with LoRA, the
    /// adapters attached as the runs attach them, and the frozen base.
    func parameterKeys() throws -> [(key: StateKey, shape: [Int], isTrainable: Bool)] {
        let model = Qwen3ForCausalLM(configuration: Self.model)
        if let lora = options.lora {
            _ = try model.attachLoRA(targets: lora.targetModules, rank: lora.rank, alpha: lora.alpha,
                                     dropout: lora.dropout, seed: UInt64(options.seed), randomness: nil)
        }
        return model.parameters.map { ($0.key, $0.shape, $0.isTrainable) }.sorted { $0.key < $1.key }
    }

    /// The configuration of one run of `kind` at `worldSize`, writing its logs and final model into `outputDir`.
    func configuration(
        kind: StrategyKind, worldSize: Int, outputDir: String, resume: Bool
    ) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(
            model: "<conformance>", trainDataset: "<synthetic>", outputDir: outputDir)
        configuration.tokenizer = TokenizerLoader.byteTokenizerName
        configuration.seed = options.seed
        configuration.loggingSteps = 1_000_000
        configuration.microBatchSize = options.microBatchSize
        configuration.globalBatchSize = options.globalBatchSize
        configuration.maxSteps = options.steps
        switch options.optimizer {
        case .adamw:
            configuration.optim = .adamw
        case .sgd(let momentum):
            configuration.optim = .sgd
            configuration.momentum = momentum
        }
        configuration.learningRate = options.learningRate
        configuration.weightDecay = options.weightDecay
        configuration.maxGradNorm = options.maxGradNorm
        configuration.lrSchedulerType = .cosine
        configuration.warmupSteps = 0
        configuration.minLrRatio = 0.1
        configuration.saveSteps = options.saveSteps
        configuration.resumeFromCheckpoint = resume ? "auto" : nil
        configuration.ddpTimeout = 120
        configuration.distConfig = PluginSection(name: kind.name, worldSize: worldSize, keyPath: "dist_config")
        return configuration
    }

    /// The plan of one run: `strategy` on `worldSize` ranks, the registry deciding what may reshard.
    func plan(
        strategy: any DistStrategy, worldSize: Int, strategies: StrategyRegistry, outputDir: String, resume: Bool
    ) -> TrainingPlan {
        let kind = type(of: strategy).kind
        let configuration = configuration(kind: kind, worldSize: worldSize, outputDir: outputDir, resume: resume)
        var plan = TrainingPlan(
            configuration: configuration, model: Self.model, hasPretrainedWeights: false, tokenizer: ByteTokenizer(),
            tokenizerReference: TokenizerLoader.byteTokenizerName, samples: samples, strategy: strategy,
            strategies: strategies, modelFingerprint: "conformance-qwen3-seed-\(options.seed)", worldSize: worldSize,
            globalBatchSize: options.globalBatchSize,
            accumulationSteps: options.globalBatchSize / (options.microBatchSize * worldSize),
            totalSteps: options.steps, warmupSteps: 0, paddingTokenID: 0)
        plan.lora = options.lora
        return plan
    }
}
