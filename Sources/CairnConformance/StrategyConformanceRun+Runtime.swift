import CairnCore
import CairnEmbedded

/// The runtime laws: one optimizer step driven by hand on ``StrategyConformance/MinimalModel``, with gradients that
/// are small multiples of ¼, so sums are exact in any reduction order and every comparison is bit for bit.
extension StrategyConformanceRun {
    /// What one rank saw.
    struct RankObservation: Sendable {
        struct Piece: Sendable {
            var key: StateKey
            var layout: TensorLayout
            var floats: [Float]
        }

        /// The optimizer shards after synchronization, with their gradients.
        var shards: [Piece] = []
        /// The parameter pieces after the step, with their values.
        var pieces: [Piece] = []
        /// Every parameter's values after the step, read inside the hooks' forward window.
        var values: [StateKey: [Float]] = [:]
        /// Trainable parameters whose gradient is not zero after the step.
        var unzeroedGradients: [StateKey] = []
        /// Frozen parameters whose gradient the strategy read.
        var frozenGradientReads: [StateKey] = []
    }

    static var accumulationSteps: Int { 2 }
    static var learningRate: Float { 0.5 }

    /// Gradient element `index` of parameter number `parameter` added by `rank` in micro-step `micro`.
    static func contribution(rank: Int, micro: Int, parameter: Int, index: Int) -> Float {
        Float(((rank + 1) * 3 + micro * 5 + parameter * 7 + index) % 9 - 4) * 0.25
    }

    /// The complete gradient of parameter number `parameter` over `worldSize` ranks.
    static func expectedGradient(parameter: Int, count: Int, worldSize: Int) -> [Float] {
        (0..<count).map { index in
            var sum: Float = 0
            for rank in 0..<worldSize {
                for micro in 0..<accumulationSteps {
                    sum += contribution(rank: rank, micro: micro, parameter: parameter, index: index)
                }
            }
            return sum
        }
    }

    /// Runs one step on every rank of a group of `worldSize` and checks `law` on what they saw.
    func runtimeLaw(_ law: Law, worldSize: Int) async throws -> [Failure] {
        let strategy = self.strategy
        let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(60))
        let observations = try await group.run { communicator in
            try await Self.observeStep(strategy, communicator: communicator)
        }
        let model = StrategyConformance.MinimalModel()
        var failures: [Failure] = []
        for (index, parameter) in model.minimalParameters.enumerated() {
            let gradient = Self.expectedGradient(parameter: index, count: parameter.elementCount, worldSize: worldSize)
            let updated = parameter.isTrainable
                ? zip(parameter.values, gradient).map { $0 - Self.learningRate * $1 } : Array(parameter.values)
            switch law {
            case .completeGradients:
                failures += coverage(of: parameter, in: observations.map(\.shards), expected: gradient, law: law,
                                     worldSize: worldSize, what: "gradient", required: parameter.isTrainable)
            default:
                failures += coverage(of: parameter, in: observations.map(\.pieces), expected: updated, law: law,
                                     worldSize: worldSize, what: "parameter piece value", required: true)
                for (rank, observation) in observations.enumerated() {
                    let values = observation.values[parameter.key]
                    guard values != updated else { continue }
                    failures.append(failure(law, worldSize: worldSize, rank: rank, key: parameter.key,
                                            expected: "the updated values \(updated.prefix(6))…",
                                            actual: "\(values?.prefix(6).description ?? "none")…"))
                }
            }
        }
        for (rank, observation) in observations.enumerated() {
            var problems: [(StateKey, String, String)] = []
            if law == .completeGradients {
                problems += observation.frozenGradientReads.map { ($0, "no gradient read of a frozen parameter", "one") }
                problems += Self.unsorted(observation.shards.map(\.key)).map { ($0, "shards sorted by key", "not") }
            } else {
                problems += observation.unzeroedGradients.map { ($0, "a zero gradient after finishStep", "nonzero") }
                problems += Self.unsorted(observation.pieces.map(\.key)).map { ($0, "pieces sorted by key", "not") }
            }
            for (key, expected, actual) in problems {
                failures.append(failure(law, worldSize: worldSize, rank: rank, key: key, expected: expected,
                                        actual: actual))
            }
        }
        return failures
    }

    // MARK: - Private helpers

    /// Checks that the pieces of `parameter` over all ranks are either replicated everywhere with `expected`, or
    /// partition it with the matching slices of `expected`.
    private func coverage(
        of parameter: StrategyConformance.MinimalModel.Parameter, in ranks: [[RankObservation.Piece]],
        expected: [Float], law: Law, worldSize: Int, what: String, required: Bool
    ) -> [Failure] {
        let key = parameter.key
        let held = ranks.enumerated().flatMap { rank, pieces in pieces.filter { $0.key == key }.map { (rank, $0) } }
        guard required else {
            return held.map { failure(law, worldSize: worldSize, rank: $0.0, key: key,
                                      expected: "no optimizer shard for a frozen parameter", actual: "one") }
        }
        var failures: [Failure] = []
        var covered: [Range<Int>] = []
        for (rank, piece) in held {
            guard piece.layout.globalShape == parameter.shape, piece.layout.isWellFormed else {
                failures.append(failure(law, worldSize: worldSize, rank: rank, key: key,
                                        expected: "global shape \(parameter.shape)", actual: "\(piece.layout)"))
                continue
            }
            let range = piece.layout.globalElementRange
            if case .replicated = piece.layout.placement {} else { covered.append(range) }
            if piece.floats != Array(expected[range]) {
                failures.append(failure(law, worldSize: worldSize, rank: rank, key: key,
                                        expected: "the \(what)s \(expected[range].prefix(6))… of elements \(range)",
                                        actual: "\(piece.floats.prefix(6))…",
                                        hint: law == .completeGradients
                                            ? "gradients must be the sum over ranks and micro-steps, not the mean"
                                            : nil))
            }
        }
        let replicatedRanks = Set(held.filter { $0.1.layout.placement == .replicated }.map(\.0))
        let isReplicated = replicatedRanks.count == worldSize && covered.isEmpty
        let partitions = covered.sorted { $0.lowerBound < $1.lowerBound }
        let isPartition = replicatedRanks.isEmpty && partitions.first?.lowerBound == 0
            && partitions.last?.upperBound == parameter.elementCount
            && zip(partitions, partitions.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
        if !isReplicated && !isPartition && failures.isEmpty {
            failures.append(failure(law, worldSize: worldSize, key: key,
                                    expected: "a replicated piece on every rank, or pieces that cover each "
                                        + "element once",
                                    actual: held.map { "rank \($0.0): \($0.1.layout)" }.joined(separator: "; ")))
        }
        return failures
    }

    private static func unsorted(_ keys: [StateKey]) -> [StateKey] {
        zip(keys, keys.dropFirst()).filter { !($0 < $1) }.map(\.1)
    }

    /// Makes the runtime on `communicator`'s rank and runs one step of two micro-steps.
    private static func observeStep(
        _ strategy: Strategy, communicator: any Communicator
    ) async throws -> RankObservation {
        let model = StrategyConformance.MinimalModel()
        let strategyContext = StrategyContext(communicator: communicator, seed: 0)
        let runtime = try await strategy.makeRuntime(for: model, context: strategyContext)
        let hooks = runtime.parameterHooks
        let units = model.units
        let index = Dictionary(uniqueKeysWithValues: model.minimalParameters.enumerated().map { ($1.key, $0) })
        var context = StepContext(globalStep: 0, microStep: 0, accumulationSteps: accumulationSteps)
        for micro in 0..<accumulationSteps {
            context.microStep = micro
            for unit in units {
                try await hooks?.willUse(unit, phase: .forward, step: context)
                try await hooks?.didUse(unit, phase: .forward, step: context)
            }
            for unit in units.reversed() {
                try await hooks?.willUse(unit, phase: .backward, step: context)
                for key in unit.parameterKeys {
                    guard let parameter = model.parameter(key), parameter.isTrainable, let number = index[key] else {
                        continue
                    }
                    let gradient = parameter.gradient
                    for i in 0..<gradient.count {
                        gradient[i] += contribution(rank: communicator.rank, micro: micro, parameter: number, index: i)
                    }
                }
                try await hooks?.gradientsReady(unit, step: context)
                try await hooks?.didUse(unit, phase: .backward, step: context)
            }
        }
        var observation = RankObservation()
        try await runtime.synchronizeGradients(context)
        let shards = try runtime.optimizerShards()
        observation.shards = shards.map { .init(key: $0.key, layout: $0.layout, floats: Array($0.gradient)) }
        for shard in shards {
            for i in 0..<shard.values.count { shard.values[i] -= learningRate * shard.gradient[i] }
        }
        try await runtime.finishStep(context)
        observation.pieces = try runtime.parameterPieces().map {
            .init(key: $0.key, layout: $0.layout, floats: Array($0.values))
        }
        for unit in units {
            try await hooks?.willUse(unit, phase: .forward, step: context)
            for key in unit.parameterKeys {
                guard let parameter = model.parameter(key) else { continue }
                observation.values[key] = Array(parameter.values)
                if parameter.isTrainable, parameter.gradientForInspection.contains(where: { $0 != 0 }) {
                    observation.unzeroedGradients.append(key)
                }
            }
            try await hooks?.didUse(unit, phase: .forward, step: context)
        }
        observation.frozenGradientReads = model.minimalParameters.filter { $0.frozenGradientReads > 0 }.map(\.key)
        return observation
    }
}
