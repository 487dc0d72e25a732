/// A piece of training state that can be saved and restored: model, optimizer, scheduler, data cursor, RNG,
/// counters, a strategy's runtime.
///
/// Components register in a ``StateRegistry`` under a fixed namespace; the checkpoint layer walks the registry,
/// never the components one by one, so no component needs special-case code in the trainer.
///
/// # Semantic requirements
/// Conforming types satisfy these laws, which `StatefulComponentConformance` checks:
/// - **Round trip.** Loading ``stateDict()`` into a fresh instance and calling ``stateDict()`` again yields an
///   equal dict.
/// - **Resume equivalence.** Restored then advanced equals advanced without interruption.
/// - **Strict by default.** ``loadStateDict(_:options:)`` with ``LoadOptions/strict`` throws on a missing or
///   unexpected key, a wrong value type or a wrong tensor layout, and then leaves the component unchanged.
/// - **Canonical keys.** Keys (relative to the namespace) never depend on rank, world size or sharding; tensor
///   layouts say which piece this rank holds.
/// - **Layout echo.** Tensors passed to ``loadStateDict(_:options:)`` have the layouts ``stateDict()`` reports,
///   so the checkpoint layer can read exactly this rank's piece before calling it.
///
/// Cairn's own components (the model, AdamW, schedules, `BatchGenerator`, the strategies' runtimes) conform;
/// a user adds a component (an EMA of the weights, a curriculum) by conforming and registering it.
///
/// ```swift
/// final class StepCounter: StatefulComponent {
///     var steps: Int64 = 0
///     func stateDict() -> StateDict { StateDict([("steps", .int(steps))]) }
///     func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
///         try dict.checkKeys(["steps"], options: options)
///         steps = try dict.int("steps")
///     }
/// }
/// ```
public protocol StatefulComponent: AnyObject {
    /// The component's state, keys relative to its namespace. Tensor values may view live storage.
    /// - Throws: when the state cannot be described right now (for example, mid-step).
    func stateDict() throws -> StateDict

    /// Restores the state from `dict`, whose keys are relative to the component's namespace.
    /// - Throws: ``StateDictError`` on a key, type or layout mismatch; the component is then unchanged.
    func loadStateDict(_ dict: StateDict, options: LoadOptions) throws
}

extension StatefulComponent {
    /// Restores the state strictly.
    public func loadStateDict(_ dict: StateDict) throws {
        try loadStateDict(dict, options: .strict)
    }
}
