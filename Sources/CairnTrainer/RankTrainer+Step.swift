import CairnConfig
import CairnCore
import CairnData
import CairnNN
import CairnOptim
import CairnTensor

extension RankTrainer {
    /// Runs one optimizer step and returns what it measured and whether any rank asked to stop (every rank gets
    /// the same answer: the request travels in the step's loss all-reduce).
    func step(localStopRequest: Bool = false) async throws -> (StepMetrics, stopRequested: Bool) {
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
        var totals = [localLoss, Double(localTokens), localStopRequest ? 1 : 0]
        if communicator.worldSize > 1 {
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: totals.count)
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
        await checkpoints.beforeStateMutation()
        try optimizer.step(shards, learningRate: learningRate)
        schedule.advance()
        try await runtime.finishStep(context)
        trainState.globalStep = stepNumber
        trainState.samplesSeen = batch.samplesConsumedAfter
        trainState.epoch = batch.epochAfter
        trainState.tokensSeen += batch.globalLossTokenCount
        let metrics = StepMetrics(
            step: stepNumber, epoch: batch.epochAfter, loss: totals[0], learningRate: learningRate, gradientNorm: norm,
            lossTokens: batch.globalLossTokenCount, tokens: Int(totals[1]),
            seconds: (ContinuousClock.now - started) / .seconds(1))
        return (metrics, totals[2] > 0)
    }

}
