import CairnCheckpoint
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
    let checkpoints: CheckpointManager
    let stopSignal: StopSignal
    let logger: Logger
    let console: Console
    /// The per-step log kept for `trainer_state.json` (rank 0), continued from the resumed checkpoint's.
    var history: [TrainerStateFile.LogEntry] = []

    var isLead: Bool { communicator.rank == 0 }

    init(
        plan: TrainingPlan, communicator: any Communicator, logger: Logger, console: Console,
        stopSignal: StopSignal = StopSignal(), checkpointBackend: (any CheckpointBackend)? = nil
    ) async throws {
        let configuration = plan.configuration
        self.plan = plan
        self.communicator = communicator
        self.logger = logger
        self.console = console
        self.stopSignal = stopSignal
        model = Qwen3ForCausalLM(configuration: plan.model)
        if plan.hasPretrainedWeights {
            try model.loadWeights(fromFolder: configuration.model)
        } else {
            model.initializeRandomly(seed: UInt64(configuration.seed))
        }
        random = RandomState(seed: UInt64(configuration.seed), rank: communicator.rank)
        model.randomness = random.source
        let context = StrategyContext(communicator: communicator, seed: UInt64(configuration.seed))
        runtime = try await plan.effectiveStrategy.makeRuntime(for: model, context: context)
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
        try registry.register(ModelState(runtime: runtime, model: model), under: .model)
        try registry.register(optimizer, under: .optimizer)
        try registry.register(schedule, under: .lrScheduler)
        try registry.register(batches, under: .dataloader)
        try registry.register(random, under: .rng)
        try registry.register(trainState, under: .trainState)
        try registry.register(runtime, under: .strategy)
        checkpoints = CheckpointManager(
            backend: checkpointBackend ?? FileSystemBackend(root: configuration.outputDir), communicator: communicator,
            schedule: CheckpointSchedule(saveSteps: configuration.saveSteps, saveEpochs: configuration.saveEpochs,
                                         saveOnEpochEnd: configuration.saveOnEpochEnd, totalSteps: plan.totalSteps),
            retention: RetentionPolicy(totalLimit: configuration.saveTotalLimit, keepEvery: configuration.saveKeepEvery),
            saveAsync: configuration.saveAsync,
            naming: plan.checkpointNaming, logger: logger)
    }

    /// Trains until the run's total steps (or a stop request) and returns what it measured, saving checkpoints as
    /// the configuration asks.
    func train() async throws -> TrainingSummary {
        let configuration = plan.configuration
        let startStep = trainState.globalStep
        if startStep >= plan.totalSteps {
            if isLead {
                logger.notice("the run is already complete at step \(startStep) of \(plan.totalSteps): nothing to do (raise max_steps or num_train_epochs to continue)")
            }
            return TrainingSummary(stepsRun: 0, finalStep: startStep, totalSteps: plan.totalSteps, losses: [], seconds: 0,
                                   tokensPerSecond: 0, modelFolder: nil, stoppedEarly: false)
        }
        let metrics = isLead
            ? try MetricsWriter(path: configuration.outputDir + "/metrics.jsonl", keepThrough: startStep) : nil
        let reporter = isLead
            ? ProgressReporter(console: console, logger: logger, totalSteps: plan.totalSteps,
                               loggingSteps: configuration.loggingSteps, startStep: startStep) : nil
        defer { reporter?.finish() }
        var losses: [Double] = []
        var tokens = 0
        var stopped = false
        let started = ContinuousClock.now
        while trainState.globalStep < plan.totalSteps && !stopped {
            let epochBefore = trainState.epoch
            let (measured, stopRequested) = try await step(
                localStopRequest: stopSignal.isRequested(afterStep: trainState.globalStep + 1))
            losses.append(measured.loss)
            tokens += measured.tokens
            history.append(TrainerStateFile.LogEntry(step: measured.step, epoch: measured.epoch, loss: measured.loss,
                                                     learningRate: measured.learningRate,
                                                     gradientNorm: measured.gradientNorm))
            try metrics?.append(measured)
            reporter?.record(measured)
            let reason = checkpoints.schedule.reason(
                afterStep: measured.step, epochBefore: epochBefore, epochAfter: measured.epoch,
                stopRequested: stopRequested)
            try await saveIfDue(reason)
            if stopRequested {
                stopped = true
                if isLead { logger.notice("stopped at step \(measured.step) of \(plan.totalSteps) on request; checkpoint saved") }
            }
        }
        try await checkpoints.finish()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        return TrainingSummary(
            stepsRun: losses.count, finalStep: trainState.globalStep, totalSteps: plan.totalSteps, losses: losses,
            seconds: seconds, tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0, modelFolder: nil,
            stoppedEarly: stopped)
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
