import CairnCore
import CairnTrainer

/// How the laws compare runs: losses bit for bit or within a relative tolerance, parameters within a tolerance
/// relative to each tensor's scale, whole checkpoints bit for bit.
extension StrategyConformanceRun {
    /// Failures for every step whose loss differs from `expected` by more than the loss tolerance (relative).
    func lossesAgree(
        _ law: Law, worldSize: Int, expected: [Double], actual: [Double], firstStep: Int, what: String
    ) -> [Failure] {
        guard expected.count == actual.count else {
            return [failure(law, worldSize: worldSize, expected: "\(expected.count) step losses",
                            actual: "\(actual.count): \(actual)")]
        }
        var failures: [Failure] = []
        for (index, (lhs, rhs)) in zip(expected, actual).enumerated() {
            let relative = abs(lhs - rhs) / max(abs(lhs), .leastNormalMagnitude)
            guard !(relative <= options.lossTolerance) else { continue }
            failures.append(failure(
                law, worldSize: worldSize, step: firstStep + index,
                expected: "\(what) \(lhs) within \(options.lossTolerance) relative",
                actual: "\(rhs) (relative difference \(relative))",
                hint: failures.isEmpty && firstStep == 1 ? Self.parityHint(firstDifferingStep: index + 1) : nil))
        }
        return failures
    }

    /// What usually makes step `step` the first whose loss differs from `single`'s.
    static func parityHint(firstDifferingStep step: Int) -> String {
        switch step {
        case 1:
            return "the loss before any update differs: every rank must start from the same weights (broadcast them) "
                + "and compute its micro-batches' losses over the global token count"
        case 2:
            return "the first update differs: gradients must be the sum over ranks and micro-steps (each loss is "
                + "already divided by the global token count), not the mean, and every rank must apply the same update"
        default:
            return "the first updates agree and later ones drift: look for state carried across steps, such as "
                + "gradients that are not zeroed in finishStep or optimizer state kept for the wrong piece"
        }
    }

    /// Failures for every step whose loss is not bit-identical to `expected`.
    func lossesIdentical(
        _ law: Law, worldSize: Int, expected: [Double], actual: [Double], firstStep: Int, what: String
    ) -> [Failure] {
        guard expected.count == actual.count else {
            return [failure(law, worldSize: worldSize, expected: "\(expected.count) step losses",
                            actual: "\(actual.count): \(actual)")]
        }
        return zip(expected, actual).enumerated().compactMap { index, pair in
            pair.0.bitPattern == pair.1.bitPattern ? nil : failure(
                law, worldSize: worldSize, step: firstStep + index, expected: "\(what) \(pair.0), bit for bit",
                actual: "\(pair.1) (difference \(pair.1 - pair.0))",
                hint: law == .determinism
                    ? "a reduction whose order depends on timing or thread count, or state drawn from a global source"
                    : nil)
        }
    }

    /// Failures for every `model` tensor of `actual` farther from `expected` than the parameter tolerance, each
    /// with its largest difference.
    func parametersAgree(
        _ law: Law, worldSize: Int, expected: StrategyConformanceSavedState, actual: StrategyConformanceSavedState
    ) -> [Failure] {
        var failures: [Failure] = []
        let model = StateNamespace.model.key
        for key in expected.tensors.keys.filter({ $0.hasPrefix(model) }).sorted() {
            guard let reference = expected.tensors[key], let tensor = actual.tensors[key] else {
                failures.append(failure(law, worldSize: worldSize, step: actual.step, key: key,
                                        expected: "the parameter in the final checkpoint", actual: "none"))
                continue
            }
            let comparison = TensorComparison(expected: reference, actual: tensor)
            guard !comparison.shapesMatch || !(comparison.relativeDifference <= options.parameterTolerance) else {
                continue
            }
            failures.append(failure(
                law, worldSize: worldSize, step: actual.step, key: key,
                expected: "single's final values within \(options.parameterTolerance) of the tensor's "
                    + "largest magnitude",
                actual: comparison.description + " (relative \(comparison.relativeDifference))"))
        }
        return failures
    }

    /// Failures for every value of `actual` that is not bit-identical to `expected`.
    func statesIdentical(
        _ law: Law, worldSize: Int, expected: StrategyConformanceSavedState, actual: StrategyConformanceSavedState,
        what: String, hint: String? = nil
    ) -> [Failure] {
        StrategyConformanceSavedState.bitDifferences(expected: expected, actual: actual).map { difference in
            failure(law, worldSize: worldSize, rank: difference.rank, step: actual.step, key: difference.key,
                    expected: "\(what) to equal the uninterrupted run's: \(difference.expected)",
                    actual: difference.actual, hint: hint)
        }
    }

    /// Failures when a resumed run did not continue from step `from` to the end.
    func resumedRun(_ law: Law, worldSize: Int, summary: TrainingSummary, from step: Int) -> [Failure] {
        guard summary.stepsRun != options.steps - step || summary.finalStep != options.steps else { return [] }
        return [failure(law, worldSize: worldSize, step: step,
                        expected: "the resumed run to continue from step \(step) to \(options.steps)",
                        actual: "it ran \(summary.stepsRun) step(s) and ended at step \(summary.finalStep)",
                        hint: "resume_from_checkpoint: auto did not find the committed checkpoint of step \(step)")]
    }
}
