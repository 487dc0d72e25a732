import CairnCore
import CairnDDP

/// DDP with one deliberate defect each, to prove that `StrategyConformance` catches real mistakes.

/// Divides the summed gradients by the world size, as code ported from PyTorch's mean of per-rank means does,
/// although Cairn's loss is already divided by the global token count.
struct AveragingDDPStrategy: DistStrategy {
    typealias Configuration = DDPStrategy.Configuration
    static let kind: StrategyKind = "averaging_ddp"
    let inner: DDPStrategy
    init(configuration: Configuration) { inner = DDPStrategy(configuration: configuration) }

    func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> DefectiveDDPRuntime {
        try await DefectiveDDPRuntime(.averagesGradients, inner: inner, model: model, context: context)
    }
}

/// Never zeroes gradients, so each step also applies every earlier step's gradients.
struct GradientKeepingDDPStrategy: DistStrategy {
    typealias Configuration = DDPStrategy.Configuration
    static let kind: StrategyKind = "gradient_keeping_ddp"
    let inner: DDPStrategy
    init(configuration: Configuration) { inner = DDPStrategy(configuration: configuration) }

    func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> DefectiveDDPRuntime {
        try await DefectiveDDPRuntime(.keepsGradients, inner: inner, model: model, context: context)
    }
}

/// Ramps gradients up over its first four steps (a "gradient warmup") but does not save its step counter, so a
/// resumed run warms up again.
struct ForgetfulDDPStrategy: DistStrategy {
    typealias Configuration = DDPStrategy.Configuration
    static let kind: StrategyKind = "forgetful_ddp"
    let inner: DDPStrategy
    init(configuration: Configuration) { inner = DDPStrategy(configuration: configuration) }

    func makeRuntime(for model: any ParameterTree, context: StrategyContext) async throws -> DefectiveDDPRuntime {
        try await DefectiveDDPRuntime(.forgetsItsWarmup, inner: inner, model: model, context: context)
    }
}

/// A `DDPRuntime` with a defect.
final class DefectiveDDPRuntime: StrategyRuntime {
    enum Defect {
        case averagesGradients
        case keepsGradients
        case forgetsItsWarmup
    }

    private let defect: Defect
    private let inner: DDPRuntime
    private let trainable: [any ModelParameter]
    private let worldSize: Int
    private var stepsTaken = 0

    init(_ defect: Defect, inner strategy: DDPStrategy, model: any ParameterTree, context: StrategyContext) async throws {
        self.defect = defect
        inner = try await strategy.makeRuntime(for: model, context: context)
        trainable = model.parameters.filter(\.isTrainable)
        worldSize = context.worldSize
    }

    var parameterHooks: (any ParameterHooks)? { nil }

    func synchronizeGradients(_ step: StepContext) async throws {
        try await inner.synchronizeGradients(step)
        let scale: Float
        switch defect {
        case .averagesGradients: scale = 1 / Float(worldSize)
        case .forgetsItsWarmup: scale = Float(min(stepsTaken + 1, 4)) / 4
        case .keepsGradients: scale = 1
        }
        for parameter in trainable {
            let gradient = parameter.gradient
            for i in 0..<gradient.count { gradient[i] *= scale }
        }
    }

    func optimizerShards() throws -> [ParameterShard] { try inner.optimizerShards() }

    func finishStep(_ step: StepContext) async throws {
        stepsTaken += 1
        if defect != .keepsGradients { try await inner.finishStep(step) }
    }

    func parameterPieces() throws -> [ParameterPiece] { try inner.parameterPieces() }

    func stateDict() throws -> StateDict { try inner.stateDict() }

    func loadStateDict(_ dict: StateDict, options: LoadOptions) throws { try inner.loadStateDict(dict, options: options) }
}
