/// When the trainer saves (DESIGN.md §8): after an optimizer step when `global_step % save_steps == 0`, when
/// the epoch crosses a multiple of `save_epochs`, at each epoch end with `save_on_epoch_end`, always after the last
/// step, and when a stop was requested (preemption).
public struct CheckpointSchedule: Sendable, Hashable {
    /// Why a save happens.
    public enum Reason: String, Sendable, Hashable {
        case steps = "save_steps"
        case epochs = "save_epochs"
        case epochEnd = "save_on_epoch_end"
        case end = "end of training"
        case stop = "stop requested"
    }

    /// Save every this many steps.
    public var saveSteps: Int?
    /// Save every this many epochs (fractions allowed).
    public var saveEpochs: Double?
    /// Save whenever a whole epoch ends.
    public var saveOnEpochEnd: Bool
    /// The last step of the run.
    public var totalSteps: Int

    /// Creates a schedule.
    public init(saveSteps: Int?, saveEpochs: Double?, saveOnEpochEnd: Bool, totalSteps: Int) {
        self.saveSteps = saveSteps
        self.saveEpochs = saveEpochs
        self.saveOnEpochEnd = saveOnEpochEnd
        self.totalSteps = totalSteps
    }

    /// Whether to save after the step that took `step` from `step - 1` and the epoch from `epochBefore` to
    /// `epochAfter`, and why (the first applicable reason, most specific first).
    public func reason(afterStep step: Int, epochBefore: Double, epochAfter: Double, stopRequested: Bool) -> Reason? {
        if stopRequested { return .stop }
        if step >= totalSteps { return .end }
        if let saveSteps, step % saveSteps == 0 { return .steps }
        if let saveEpochs, crosses(multipleOf: saveEpochs, from: epochBefore, to: epochAfter) { return .epochs }
        if saveOnEpochEnd, crosses(multipleOf: 1, from: epochBefore, to: epochAfter) { return .epochEnd }
        return nil
    }

    /// Whether `(before, after]` contains a multiple of `period`. Epochs are ratios of integers, so the products
    /// are compared with a tolerance far below one sample (1e-9 epochs) to absorb floating-point rounding.
    private func crosses(multipleOf period: Double, from before: Double, to after: Double) -> Bool {
        let slack = 1e-9
        return (after / period + slack).rounded(.down) > (before / period + slack).rounded(.down)
    }
}
