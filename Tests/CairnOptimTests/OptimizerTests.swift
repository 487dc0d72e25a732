import CairnCore
import CairnEmbedded
import CairnOptim
import Testing

/// A parameter and its gradient in owned memory, for handing out shards.
private final class Slot {
    let values: UnsafeMutableBufferPointer<Float>
    let gradient: UnsafeMutableBufferPointer<Float>

    init(values: [Float], gradient: [Float]) {
        self.values = .allocate(capacity: values.count)
        _ = self.values.initialize(from: values)
        self.gradient = .allocate(capacity: gradient.count)
        _ = self.gradient.initialize(from: gradient)
    }

    deinit {
        values.deallocate()
        gradient.deallocate()
    }

    func shard(_ key: StateKey, _ shape: [Int]) -> ParameterShard {
        ParameterShard(key: key, layout: .replicated(shape), values: values, gradient: gradient)
    }

    /// The piece `range` of the flattened tensor as a flat-partition shard.
    func shard(_ key: StateKey, _ shape: [Int], elements range: Range<Int>) -> ParameterShard {
        ParameterShard(key: key, layout: TensorLayout(globalShape: shape, placement: .elements(range)),
                       values: UnsafeMutableBufferPointer(rebasing: values[range]),
                       gradient: UnsafeMutableBufferPointer(rebasing: gradient[range]))
    }
}

@Suite struct OptimizerTests {
    /// One AdamW step by hand: with zero moments, m̂ = g and v̂ = g², so the step is ≈ −lr·sign(g).
    @Test func adamWFirstStepMovesByLearningRateTimesSign() throws {
        let slot = Slot(values: [1, -2, 3], gradient: [0.5, -0.25, 2])
        let optimizer = AdamW(.init(weightDecay: 0.1))
        let shard = slot.shard("model.w", [3])
        try optimizer.prepare(for: [shard])
        try optimizer.step([shard], learningRate: 0.01)
        let decayed: [Float] = [1, -2, 3].map { $0 * Float(1 - 0.01 * 0.1) }
        for (i, g) in [Float(0.5), -0.25, 2].enumerated() {
            let expected = decayed[i] - 0.01 * g / (abs(g) + 1e-8)
            #expect(abs(slot.values[i] - expected) < 1e-6)
        }
        let state = try optimizer.stateDict()
        #expect(state.keys == ["state.model.w.exp_avg", "state.model.w.exp_avg_sq", "state.model.w.step"])
        #expect(try state.int("state.model.w.step") == 1)
    }

    /// The optimizer is element-wise: updating two flat pieces equals updating the whole tensor, bit for bit.
    @Test(arguments: ["adamw", "sgd"])
    func optimizerOnPiecesEqualsOptimizerOnWhole(kind: String) throws {
        func make() -> any Optimizer {
            kind == "adamw" ? AdamW(.init(weightDecay: 0.05)) : SGD(momentum: 0.9, weightDecay: 0.01)
        }
        let values = (0..<10).map { Float($0) * 0.3 - 1 }
        let gradients = (0..<10).map { Float(($0 * 7) % 5) * 0.1 - 0.2 }
        let a = Slot(values: values, gradient: gradients)
        let b = Slot(values: values, gradient: gradients)
        let full = [a.shard("model.w", [2, 5])]
        let split = [b.shard("model.w", [2, 5], elements: 0..<3), b.shard("model.w", [2, 5], elements: 3..<10)]
        let whole = make()
        try whole.prepare(for: full)
        let optimizers = try split.map { shard -> any Optimizer in
            let optimizer = make()
            try optimizer.prepare(for: [shard])
            return optimizer
        }
        for step in 0..<3 {
            try whole.step(full, learningRate: 0.1 / Double(step + 1))
            for (optimizer, shard) in zip(optimizers, split) {
                try optimizer.step([shard], learningRate: 0.1 / Double(step + 1))
            }
        }
        #expect(Array(a.values) == Array(b.values))
        #expect(Array(a.values) != values, "the parameters moved")
    }

    @Test func sgdMomentumFollowsTorch() throws {
        let slot = Slot(values: [1], gradient: [1])
        let sgd = SGD(momentum: 0.5)
        let shard = slot.shard("model.w", [1])
        try sgd.prepare(for: [shard])
        try sgd.step([shard], learningRate: 0.1)  // b = 1, θ = 0.9
        try sgd.step([shard], learningRate: 0.1)  // b = 0.5 + 1 = 1.5, θ = 0.75
        #expect(abs(slot.values[0] - 0.75) < 1e-7)
    }

    @Test func optimizerStateRoundTripsIntoAFreshOptimizer() throws {
        let slot = Slot(values: [1, 2, 3, 4], gradient: [0.1, -0.2, 0.3, -0.4])
        let shard = slot.shard("model.w", [2, 2])
        let optimizer = AdamW()
        try optimizer.prepare(for: [shard])
        try optimizer.step([shard], learningRate: 1e-3)
        let fresh = AdamW()
        try fresh.prepare(for: [shard])
        try fresh.loadStateDict(optimizer.stateDict())
        #expect(try fresh.stateDict() == optimizer.stateDict())

        var wrongLayout = try optimizer.stateDict()
        wrongLayout["state.model.w.exp_avg"] = .tensor(StateTensor(shape: [4], copying: [0, 0, 0, 0]))
        let error = try #require(throws: StateDictError.self) { try fresh.loadStateDict(wrongLayout) }
        #expect(error.code == .wrongLayout)
        #expect(try fresh.stateDict() == optimizer.stateDict(), "a failed load leaves the optimizer unchanged")
    }

    @Test func stepWithoutPreparedStateIsAnError() {
        let slot = Slot(values: [1], gradient: [1])
        #expect(throws: StateDictError.self) { try AdamW().step([slot.shard("model.w", [1])], learningRate: 0.1) }
    }

    @Test func clippingScalesOnlyAboveTheLimit() async throws {
        let slot = Slot(values: [0, 0], gradient: [3, 4])
        let shards = [slot.shard("model.w", [2])]
        let norm = try await GradientClipping.globalNorm(of: shards, communicator: LocalRankGroup(worldSize: 1).communicator(rank: 0))
        #expect(norm == 5)
        let coefficient = GradientClipping.clip(shards, norm: norm, maxNorm: 1)
        #expect(abs(coefficient - 1 / (5 + 1e-6)) < 1e-12)
        #expect(abs(slot.gradient[0] - 0.6) < 1e-6)
        #expect(GradientClipping.clip(shards, norm: 1, maxNorm: 10) == 1)
    }
}
