/// What a finished run reports.
public struct TrainingSummary: Sendable, Hashable {
    /// Steps this invocation ran (0 when the run was already complete).
    public var stepsRun: Int
    /// The global step at the end.
    public var finalStep: Int
    /// The run's total steps.
    public var totalSteps: Int
    /// The loss of every step this invocation ran, in order.
    public var losses: [Double]
    /// Wall-clock seconds of the training loop.
    public var seconds: Double
    /// Non-padding tokens per second over the loop.
    public var tokensPerSecond: Double
    /// Where the final model was written, if it was.
    public var modelFolder: String?
    /// Whether a stop request (SIGTERM, SIGINT) ended the run before its last step.
    public var stoppedEarly: Bool
}
