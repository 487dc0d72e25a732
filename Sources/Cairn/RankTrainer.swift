import CairnConfig
import CairnCore
import CairnData
import CairnNN
import CairnOptim
import CairnTensor
import Foundation
import Logging

/// One rank's training loop: its model replica or shard, its strategy runtime, optimizer, schedule, data cursor
/// and RNG, all registered in one ``StateRegistry``.
///
/// Every optimizer step runs the same sequence on every rank (DESIGN.md §5–§6): forward and backward for each
/// micro-batch with the loss divided by the global batch's loss-token count, gradient synchronization, clipping by
/// the global norm, the optimizer on this rank's shards, and the runtime's finish. Nothing here branches on the
/// strategy's kind.
final class RankTrainer {
    let plan: TrainingPlan
    let communicator: any Communicator
    let model: Qwen3ForCausalLM
    let runtime: any StrategyRuntime
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let batches: BatchGenerator
    let trainState = TrainState()
    let random: RandomState
    let registry = StateRegistry()
    let logger: Logger
    let console: Console

    private var isLead: Bool { communicator.rank == 0 }

    init(plan: TrainingPlan, communicator: any Communicator, logger: Logger, console: Console) async throws {
        let configuration = plan.configuration
        self.plan = plan
        self.communicator = communicator
        self.logger = logger
        self.console = console
        model = Qwen3ForCausalLM(configuration: plan.model)
        if plan.hasPretrainedWeights {
            try model.loadWeights(fromFolder: configuration.model)
        } else {
            model.initializeRandomly(seed: UInt64(configuration.seed))
        }
        let context = StrategyContext(communicator: communicator, seed: UInt64(configuration.seed))
        runtime = try await plan.strategy.makeRuntime(for: model, context: context)
        switch configuration.optim {
        case .adamw:
            optimizer = AdamW(.init(beta1: configuration.adamBeta1, beta2: configuration.adamBeta2,
                                    epsilon: configuration.adamEpsilon, weightDecay: configuration.weightDecay))
        case .sgd:
            optimizer = SGD(momentum: configuration.momentum, weightDecay: configuration.weightDecay)
        }
        try optimizer.prepare(for: runtime.optimizerShards())
        schedule = LearningRateSchedule(
            kind: LearningRateSchedule.Kind(configuration.lrSchedulerType), baseLearningRate: configuration.learningRate,
            warmupSteps: plan.warmupSteps, totalSteps: plan.totalSteps, minimumRatio: configuration.minLrRatio)
        batches = try BatchGenerator(
            samples: plan.samples, seed: UInt64(configuration.seed), globalBatchSize: plan.globalBatchSize,
            microBatchSize: configuration.microBatchSize, padTokenID: plan.paddingTokenID)
        random = RandomState(seed: UInt64(configuration.seed), rank: communicator.rank)
        try registry.register(ModelState(runtime: runtime), under: .model)
        try registry.register(optimizer, under: .optimizer)
        try registry.register(schedule, under: .lrScheduler)
        try registry.register(batches, under: .dataloader)
        try registry.register(random, under: .rng)
        try registry.register(trainState, under: .trainState)
        try registry.register(runtime, under: .strategy)
    }

    /// Trains until the run's total steps and returns what it measured.
    func train() async throws -> TrainingSummary {
        let configuration = plan.configuration
        let startStep = trainState.globalStep
        let metrics = isLead
            ? try MetricsWriter(path: configuration.outputDir + "/metrics.jsonl", keepThrough: startStep) : nil
        let reporter = isLead
            ? ProgressReporter(console: console, logger: logger, totalSteps: plan.totalSteps,
                               loggingSteps: configuration.loggingSteps, startStep: startStep) : nil
        defer { reporter?.finish() }
        var losses: [Double] = []
        var tokens = 0
        let started = ContinuousClock.now
        while trainState.globalStep < plan.totalSteps {
            let measured = try await step()
            losses.append(measured.loss)
            tokens += measured.tokens
            try metrics?.append(measured)
            reporter?.record(measured)
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        return TrainingSummary(
            stepsRun: losses.count, finalStep: trainState.globalStep, totalSteps: plan.totalSteps, losses: losses,
            seconds: seconds, tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0, modelFolder: nil)
    }

    /// Runs one optimizer step.
    func step() async throws -> StepMetrics {
        let started = ContinuousClock.now
        let stepNumber = trainState.globalStep + 1
        let batch = try batches.nextStep(rank: communicator.rank, worldSize: communicator.worldSize)
        let hooks = runtime.parameterHooks
        let units = model.units
        var localLoss = 0.0
        var localTokens = 0
        var context = StepContext(globalStep: trainState.globalStep, microStep: 0, accumulationSteps: plan.accumulationSteps)
        for (index, micro) in batch.microBatches.enumerated() {
            context.microStep = index
            let tape = Tape()
            let microContext = context
            let loss = try await tape.record {
                try await model.loss(
                    tokens: micro.inputIDs, targets: micro.targets, batchSize: micro.batchSize,
                    sequenceLength: micro.sequenceLength, normalizer: batch.globalLossTokenCount, hooks: hooks,
                    step: microContext)
            }
            localLoss += Double(loss.item)
            try await tape.backward(from: loss, onMarker: hooks.map { Self.backwardHooks($0, units: units, step: microContext) })
            localTokens += micro.sampleIndices.reduce(0) { $0 + plan.samples[$1].inputIDs.count }
        }
        try await runtime.synchronizeGradients(context)
        let shards = try runtime.optimizerShards()
        let norm = try await GradientClipping.globalNorm(of: shards, communicator: communicator)
        var totals = [localLoss, Double(localTokens)]
        if communicator.worldSize > 1 {
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2)
            defer { buffer.deallocate() }
            _ = buffer.initialize(from: totals)
            try await communicator.allReduce(buffer, .sum)
            totals = Array(buffer)
        }
        guard totals[0].isFinite, norm.isFinite else {
            throw TrainingError(
                .nonFiniteLoss, step: stepNumber, rank: communicator.rank,
                "the loss (\(totals[0])) or gradient norm (\(norm)) is not finite; lower learning_rate or check the data")
        }
        if plan.configuration.maxGradNorm > 0 {
            GradientClipping.clip(shards, norm: norm, maxNorm: plan.configuration.maxGradNorm)
        }
        let learningRate = schedule.currentLearningRate
        try optimizer.step(shards, learningRate: learningRate)
        schedule.advance()
        try await runtime.finishStep(context)
        trainState.globalStep = stepNumber
        trainState.samplesSeen = batch.samplesConsumedAfter
        trainState.epoch = batch.epochAfter
        trainState.tokensSeen += batch.globalLossTokenCount
        return StepMetrics(
            step: stepNumber, epoch: batch.epochAfter, loss: totals[0], learningRate: learningRate, gradientNorm: norm,
            lossTokens: batch.globalLossTokenCount, tokens: Int(totals[1]),
            seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// Maps tape markers met in reverse to the backward-phase hooks: a unit's end marker comes first (gather its
    /// parameters), its begin marker last (its gradients are complete).
    static func backwardHooks(
        _ hooks: any ParameterHooks, units: [ParameterUnit], step: StepContext
    ) -> (TapeMarker) async throws -> Void {
        { marker in
            switch marker {
            case .unitEnd(let index):
                try await hooks.willUse(units[index], phase: .backward, step: step)
            case .unitBegin(let index):
                try await hooks.gradientsReady(units[index], step: step)
                try await hooks.didUse(units[index], phase: .backward, step: step)
            }
        }
    }
}

extension LearningRateSchedule.Kind {
    init(_ kind: TrainingConfiguration.SchedulerKind) {
        switch kind {
        case .constant: self = .constant
        case .linear: self = .linear
        case .cosine: self = .cosine
        }
    }
}
