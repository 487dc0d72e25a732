/// Where the trainer is inside an optimizer step, passed to every strategy hook.
///
/// A context struct rather than a parameter list, so a new field is not a protocol change.
public struct StepContext: Sendable, Hashable {
    /// The number of optimizer steps completed before this one (0 for the first step).
    public var globalStep: Int
    /// The index of the current micro-step within gradient accumulation.
    public var microStep: Int
    /// The number of micro-steps whose gradients make one optimizer step on this rank.
    public var accumulationSteps: Int

    /// Creates a context.
    public init(globalStep: Int, microStep: Int, accumulationSteps: Int) {
        self.globalStep = globalStep
        self.microStep = microStep
        self.accumulationSteps = accumulationSteps
    }

    /// Whether this micro-step ends gradient accumulation, so gradients must be synchronized after it.
    public var isLastMicroStep: Bool { microStep == accumulationSteps - 1 }
}

/// What a strategy runtime learns about its rank when it is made.
public struct StrategyContext: Sendable {
    /// This rank's index.
    public var rank: Int
    /// The number of ranks.
    public var worldSize: Int
    /// The channel to the other ranks.
    public var communicator: any Communicator
    /// The run's seed, for strategies that draw random numbers.
    public var seed: UInt64

    /// Creates a context; `rank` and `worldSize` come from the communicator.
    public init(communicator: any Communicator, seed: UInt64) {
        self.rank = communicator.rank
        self.worldSize = communicator.worldSize
        self.communicator = communicator
        self.seed = seed
    }
}
