/// A model as strategies see it: named parameters grouped into units, without the numerics behind them.
///
/// `CairnNN`'s models conform. A strategy that imports only `CairnCore` can replicate, shard, average or
/// all-reduce a model through this protocol alone.
///
/// # Semantic requirements
/// - **Canonical order.** ``parameters`` lists every parameter once, sorted by key; keys are canonical
///   (`model.layers.0.self_attn.q_proj.weight`).
/// - **Units partition the parameters.** Every parameter belongs to exactly one of ``units``; units are listed
///   in forward order (embedding, each decoder layer, final norm and head), the granularity at which FSDP
///   gathers and frees.
/// - **Stable identity.** The same instance returns the same parameter objects for its whole life.
public protocol ParameterTree: AnyObject {
    /// Every parameter, sorted by key.
    var parameters: [any ModelParameter] { get }
    /// The parameter units in forward order.
    var units: [ParameterUnit] { get }
}

/// One named tensor of a model, with its gradient.
///
/// # Semantic requirements
/// - ``values`` and ``gradient`` are `shape.reduce(1, *)` contiguous row-major floats whose addresses stay valid
///   for the life of the parameter (a strategy may hold them across a step) — for a ``ReleasableParameter``, until
///   it is released.
/// - The gradient accumulates across micro-steps until a strategy zeroes it; a frozen parameter
///   (`isTrainable == false`) never receives one, and reading ``gradient`` on it is a programming error.
public protocol ModelParameter: AnyObject {
    /// The canonical key, such as `model.layers.0.mlp.up_proj.weight`.
    var key: StateKey { get }
    /// The global shape.
    var shape: [Int] { get }
    /// Whether the optimizer updates it (false for LoRA's frozen base weights).
    var isTrainable: Bool { get }
    /// The parameter's values.
    var values: UnsafeMutableBufferPointer<Float> { get }
    /// The parameter's gradient, allocated zeroed on first access.
    var gradient: UnsafeMutableBufferPointer<Float> { get }
}

/// A parameter whose full values and gradient can be freed between uses and allocated again: what sharding
/// strategies (FSDP2, ZeRO-3) need to keep only their shard resident.
///
/// # Semantic requirements
/// - After ``release()``, ``isMaterialized`` is false and reading ``ModelParameter/values`` is a programming error
///   until ``materialize()``; the model's recorded computations keep referring to the same parameter, so values
///   materialized again before the backward pass reaches the parameter's unit are the ones backward reads.
/// - ``materialize()`` allocates storage whose contents are unspecified until the strategy writes them; it is a
///   no-op on a materialized parameter.
/// - ``releaseGradient()`` frees the gradient; the next read of ``ModelParameter/gradient`` allocates it zeroed.
public protocol ReleasableParameter: ModelParameter {
    /// Whether the full values are resident.
    var isMaterialized: Bool { get }
    /// Allocates storage for the full values (contents unspecified).
    func materialize()
    /// Frees the full values.
    func release()
    /// Frees the gradient.
    func releaseGradient()
}

extension ModelParameter {
    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A group of parameters that a sharding strategy gathers and frees together.
public struct ParameterUnit: Hashable, Sendable {
    /// A readable name, such as `layers.3`.
    public var name: String
    /// The keys of the unit's parameters, sorted.
    public var parameterKeys: [StateKey]

    /// Creates a unit.
    public init(name: String, parameterKeys: [StateKey]) {
        self.name = name
        self.parameterKeys = parameterKeys.sorted()
    }
}
