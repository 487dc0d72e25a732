import CairnCore
import CairnEmbedded
import CairnNN
import CairnOptim
import CairnTensor
import CairnZeRO

/// One AdamW training step of a tiny Qwen3 built in code, on every rank of an in-process group, under a ZeRO
/// configuration: what the memory tests measure.
///
/// It drives the runtime the way the trainer does (`RankTrainer+Step.swift`): forward with the hooks around each
/// unit, backward calling the backward hooks at the tape's unit markers, synchronization, global-norm clipping,
/// AdamW on the shards, finish.
enum TinyQwen3Step {
    /// The model: hidden 64, 4 layers, 4 query and 2 key-value heads of 16, MLP 256, vocabulary 64, untied head.
    static let configuration = Qwen3Configuration(
        vocabularySize: 64, hiddenSize: 64, intermediateSize: 256, layerCount: 4, attentionHeadCount: 4,
        keyValueHeadCount: 2, headDimension: 16, rmsNormEpsilon: 1e-6, ropeTheta: 10_000, maxPositionEmbeddings: 64,
        tiesWordEmbeddings: false, initializerRange: 0.05)

    /// What one rank measured.
    struct Measurement: Sendable {
        /// The runtime's peak parameter + gradient bytes over the step.
        var peakBytes: Int
        /// The bytes of the optimizer's state tensors on this rank.
        var optimizerStateBytes: Int
        /// The step's summed loss over this rank's micro-batches.
        var loss: Double
    }

    /// The model's sizes, in bytes of float32.
    struct Sizes {
        /// Whole model parameters + gradients + AdamW's two moments: what `single` holds.
        var single: Int
        /// The parameters + gradients of one decoder layer.
        var decoderLayer: Int
        /// The parameters + gradients of the units that are not decoder layers (embedding; final norm and head).
        var rootUnit: Int
        /// The number of parameters `N` (all trainable).
        var elementCount: Int

        /// `P = ⌈N / W⌉`.
        func partitionSize(worldSize: Int) -> Int { (elementCount + worldSize - 1) / worldSize }

        init() {
            let model = Qwen3ForCausalLM(configuration: TinyQwen3Step.configuration)
            let bytes = MemoryLayout<Float>.stride
            let units = model.units
            func elements(_ unit: ParameterUnit) -> Int {
                unit.parameterKeys.reduce(0) { $0 + (model.parameter(forKey: $1)?.elementCount ?? 0) }
            }
            let total = model.parameters.reduce(0) { $0 + $1.elementCount }
            elementCount = total
            single = total * bytes * 4
            decoderLayer = elements(units[1]) * bytes * 2
            rootUnit = units.filter { !$0.name.hasPrefix("layers.") }.reduce(0) { $0 + elements($1) } * bytes * 2
        }
    }

    /// Runs one step of `microSteps` micro-batches on `worldSize` ranks.
    static func run(
        _ zero: ZeROStrategy.Configuration, worldSize: Int, microSteps: Int = 2
    ) async throws -> [Measurement] {
        try await LocalRankGroup(worldSize: worldSize, timeout: .seconds(120)).run { communicator in
            let model = Qwen3ForCausalLM(configuration: configuration)
            model.initializeRandomly(seed: 11)
            let runtime = try await ZeROStrategy(configuration: zero)
                .makeRuntime(for: model, context: StrategyContext(communicator: communicator, seed: 11))
            let optimizer = AdamW(.init(weightDecay: 0.01))
            try optimizer.prepare(for: runtime.optimizerShards())
            runtime.resetPeakMemory()
            let loss = try await step(model: model, runtime: runtime, optimizer: optimizer, rank: communicator.rank,
                                      communicator: communicator, microSteps: microSteps)
            let stateBytes = try optimizer.stateDict().tensors.reduce(0) { $0 + $1.value.layout.localByteCount }
            return Measurement(peakBytes: runtime.memoryUsage.peakBytes, optimizerStateBytes: stateBytes, loss: loss)
        }
    }

    // MARK: - Private helpers

    private static func step(
        model: Qwen3ForCausalLM, runtime: ZeRORuntime, optimizer: AdamW, rank: Int,
        communicator: any Communicator, microSteps: Int
    ) async throws -> Double {
        let hooks = runtime.parameterHooks
        let units = model.units
        let (batch, length) = (2, 16)
        var generator = PhiloxRandom(seed: 5, label: "zero.memory.rank\(rank)")
        var context = StepContext(globalStep: 0, microStep: 0, accumulationSteps: microSteps)
        var total = 0.0
        for micro in 0..<microSteps {
            context.microStep = micro
            var inputs: [Int32] = []
            var targets: [Int32] = []
            for _ in 0..<batch {
                let row = (0...length).map { _ in Int32(generator.next32() % 64) }
                inputs += row.dropLast()
                targets += row.dropFirst()
            }
            let tape = Tape()
            let microContext = context
            let loss = try await tape.record {
                try await model.loss(tokens: inputs, targets: targets, batchSize: batch, sequenceLength: length,
                                     normalizer: batch * length * microSteps * communicator.worldSize, hooks: hooks,
                                     step: microContext)
            }
            total += Double(loss.item)
            try await tape.backward(from: loss, onMarker: hooks.map { hooks in
                { marker in
                    switch marker {
                    case .unitEnd(let index):
                        try await hooks.willUse(units[index], phase: .backward, step: microContext)
                    case .unitBegin(let index):
                        try await hooks.gradientsReady(units[index], step: microContext)
                        try await hooks.didUse(units[index], phase: .backward, step: microContext)
                    }
                }
            })
        }
        try await runtime.synchronizeGradients(context)
        let shards = try runtime.optimizerShards()
        let norm = try await GradientClipping.globalNorm(of: shards, communicator: communicator)
        GradientClipping.clip(shards, norm: norm, maxNorm: 1.0)
        try optimizer.step(shards, learningRate: 1e-3)
        try await runtime.finishStep(context)
        return total
    }
}
