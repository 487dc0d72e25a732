public import CairnCore

/// The trainer's counters: the `train_state` namespace of the state graph.
///
/// Checkpoints are taken after an optimizer step, so the gradient-accumulation position saved is always the
/// start of a step; it is stored anyway so a resume can prove it.
public final class TrainState: StatefulComponent {
    /// Optimizer steps completed.
    public var globalStep: Int = 0
    /// Samples consumed from the global stream, all ranks together.
    public var samplesSeen: Int = 0
    /// Loss-bearing tokens trained on, all ranks together.
    public var tokensSeen: Int = 0
    /// The epoch as a fraction: samples consumed / dataset size.
    public var epoch: Double = 0
    /// The micro-step within gradient accumulation the next step starts at (0 between steps).
    public var accumulationPosition: Int = 0

    /// Creates counters at zero.
    public init() {}

    public func stateDict() throws -> StateDict {
        StateDict([
            ("global_step", .int(Int64(globalStep))),
            ("samples_seen", .int(Int64(samplesSeen))),
            ("tokens_seen", .int(Int64(tokensSeen))),
            ("epoch", .double(epoch)),
            ("accumulation_position", .int(Int64(accumulationPosition))),
        ])
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys(["global_step", "samples_seen", "tokens_seen", "epoch", "accumulation_position"], options: options)
        let step = try Int(dict.int("global_step"))
        let samples = try Int(dict.int("samples_seen"))
        let tokens = try Int(dict.int("tokens_seen"))
        let epoch = try dict.double("epoch")
        let position = try Int(dict.int("accumulation_position"))
        guard step >= 0, samples >= 0, tokens >= 0, epoch >= 0, position == 0 else {
            throw StateDictError(.invalidValue, "train_state holds impossible counters (step \(step), samples \(samples), accumulation position \(position))")
        }
        (globalStep, samplesSeen, tokensSeen, self.epoch, accumulationPosition) = (step, samples, tokens, epoch, position)
    }
}
