/// The piece of one trainable parameter that this rank's optimizer updates, with the matching gradient piece.
///
/// A strategy runtime hands these to the optimizer after ``StrategyRuntime/synchronizeGradients(_:)``: whole
/// tensors for `single` and `ddp`, dim-0 row ranges for `fsdp2`, flat element ranges for `zero`. The optimizer is
/// element-wise, so it neither knows nor cares which.
///
/// The pointers are valid from ``StrategyRuntime/optimizerShards()`` until ``StrategyRuntime/finishStep(_:)``.
public struct ParameterShard {
    /// The parameter's canonical key.
    public var key: StateKey
    /// The global shape and this piece (`placement`); the optimizer gives its state the same layout.
    public var layout: TensorLayout
    /// The parameter values of this piece, updated in place.
    public var values: UnsafeMutableBufferPointer<Float>
    /// The fully synchronized gradient of this piece (summed over ranks and micro-steps).
    public var gradient: UnsafeMutableBufferPointer<Float>

    /// Creates a shard; `values` and `gradient` must both hold `layout.localElementCount` floats.
    public init(
        key: StateKey, layout: TensorLayout, values: UnsafeMutableBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(values.count == layout.localElementCount && gradient.count == values.count,
                     "ParameterShard \(key): \(values.count) values, \(gradient.count) gradients for \(layout)")
        self.key = key
        self.layout = layout
        self.values = values
        self.gradient = gradient
    }
}

/// The piece of one parameter (trainable or frozen) that this rank holds, without its gradient: what a checkpoint
/// saves under the `model` namespace.
public struct ParameterPiece {
    /// The parameter's canonical key.
    public var key: StateKey
    /// The global shape and this piece.
    public var layout: TensorLayout
    /// The values of this piece, in live storage.
    public var values: UnsafeMutableBufferPointer<Float>

    /// Creates a piece; `values` must hold `layout.localElementCount` floats.
    public init(key: StateKey, layout: TensorLayout, values: UnsafeMutableBufferPointer<Float>) {
        precondition(values.count == layout.localElementCount,
                     "ParameterPiece \(key): \(values.count) values for \(layout)")
        self.key = key
        self.layout = layout
        self.values = values
    }
}

extension ModelParameter {
    /// The whole parameter as a `.replicated` optimizer shard over its own values and gradient: what a strategy
    /// that keeps a full replica on every rank (`single`, `ddp`) hands the optimizer.
    public var replicatedShard: ParameterShard {
        ParameterShard(key: key, layout: .replicated(shape), values: values, gradient: gradient)
    }

    /// The whole parameter as a `.replicated` piece over its own values.
    public var replicatedPiece: ParameterPiece {
        ParameterPiece(key: key, layout: .replicated(shape), values: values)
    }
}
