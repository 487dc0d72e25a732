/// Callbacks a model makes around each ``ParameterUnit`` so a strategy can gather parameters before use, free
/// them after, and reduce gradients as soon as a unit's are complete.
///
/// # Semantic requirements
/// - The model calls ``willUse(_:phase:step:)`` before reading any parameter of the unit in that phase and
///   ``didUse(_:phase:step:)`` after its last read; calls for one unit never nest.
/// - In the backward phase units arrive in reverse forward order, and ``gradientsReady(_:step:)`` follows the
///   last gradient written to the unit in this micro-step.
/// - Hooks may run collectives, so every rank makes the same calls in the same order.
public protocol ParameterHooks: AnyObject {
    /// The unit's parameters are about to be read.
    func willUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws
    /// The unit's parameters will not be read again in this phase.
    func didUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws
    /// Every gradient of the unit for this micro-step has been accumulated.
    func gradientsReady(_ unit: ParameterUnit, step: StepContext) async throws
}

/// The pass a hook is called in.
public enum ComputePhase: String, Sendable {
    case forward
    case backward
}
