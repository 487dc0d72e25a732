public import CairnCore

/// An element-wise optimizer: it updates whatever pieces of parameters a strategy hands it, whole tensors,
/// dim-0 row ranges or flat element ranges alike, and keys its state by parameter key.
///
/// # Semantic requirements
/// - **Eager state.** ``prepare(for:)`` creates zeroed state for exactly the given pieces, so a fresh optimizer
///   has the keys and layouts a checkpoint must fill (`StatefulComponent` layout echo).
/// - **Canonical keys.** State keys are `state.<parameter key>.<slot>` (under the `optimizer` namespace), never
///   positional, and their layouts are the pieces' layouts.
/// - **Element-wise.** Updating a piece depends only on that piece's values, gradients and state, so any
///   partition of a parameter gives the same result as the whole.
public protocol Optimizer: StatefulComponent {
    /// Creates zeroed state for every piece, replacing any previous state.
    func prepare(for pieces: [(key: StateKey, layout: TensorLayout)]) throws

    /// Applies one update to every shard at `learningRate`.
    /// - Throws: ``StateDictError`` `.missingKey` when a shard was not prepared.
    func step(_ shards: [ParameterShard], learningRate: Double) throws
}

extension Optimizer {
    /// Prepares state for the pieces of `shards`.
    public func prepare(for shards: [ParameterShard]) throws {
        try prepare(for: shards.map { (key: $0.key, layout: $0.layout) })
    }
}
