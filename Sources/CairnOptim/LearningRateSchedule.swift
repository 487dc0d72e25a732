public import CairnCore
import Foundation

/// A learning-rate schedule with linear warmup, computed as Hugging Face transformers' schedulers are
/// (`get_constant_schedule_with_warmup`, `get_linear_schedule_with_warmup`,
/// `get_cosine_with_min_lr_schedule_with_warmup` with half a cycle):
///
/// ```text
/// s < w:   f(s) = s / max(1, w)
/// else:    p = (s − w) / max(1, T − w)
///          constant: 1;   linear: max(0, 1 − p);   cosine: max(0, ½ (1 + cos π p))
///          then f ← f · (1 − r) + r                (r = min_lr_ratio; not applied during warmup)
/// lr(s) = base_lr · f(s)
/// ```
/// `s` counts the optimizer steps already taken, so the first step uses `f(0)` — with warmup that is 0, as in
/// transformers. The schedule is a `StatefulComponent` holding `s` (namespace `lr_scheduler`).
public final class LearningRateSchedule: StatefulComponent {
    /// The shape after warmup.
    public enum Kind: String, Sendable, CaseIterable {
        case constant
        case linear
        case cosine
    }

    /// The shape after warmup.
    public let kind: Kind
    /// The peak learning rate.
    public let baseLearningRate: Double
    /// Warmup steps `w`.
    public let warmupSteps: Int
    /// Total optimizer steps `T` of the run.
    public let totalSteps: Int
    /// The floor as a fraction of the peak, `r`.
    public let minimumRatio: Double
    /// The optimizer steps taken so far, `s`.
    public private(set) var stepsTaken: Int = 0

    /// Creates a schedule at step 0.
    public init(kind: Kind, baseLearningRate: Double, warmupSteps: Int, totalSteps: Int, minimumRatio: Double = 0) {
        self.kind = kind
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    /// The learning rate for the next optimizer step.
    public var currentLearningRate: Double { learningRate(afterSteps: stepsTaken) }

    /// The learning rate of the step that follows `steps` completed ones.
    public func learningRate(afterSteps steps: Int) -> Double {
        baseLearningRate * factor(steps)
    }

    /// Records that an optimizer step was taken.
    public func advance() {
        stepsTaken += 1
    }

    public func stateDict() throws -> StateDict {
        StateDict([("steps_taken", .int(Int64(stepsTaken)))])
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys(["steps_taken"], options: options)
        guard dict["steps_taken"] != nil else { return }
        let steps = try dict.int("steps_taken")
        guard steps >= 0 else { throw StateDictError(.invalidValue, key: "steps_taken", "negative step count \(steps)") }
        stepsTaken = Int(steps)
    }

    // MARK: - Private helpers

    private func factor(_ step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        let shape: Double
        switch kind {
        case .constant: return 1
        case .linear: shape = max(0, 1 - progress)
        case .cosine: shape = max(0, 0.5 * (1 + cos(Double.pi * progress)))
        }
        return shape * (1 - minimumRatio) + minimumRatio
    }
}
