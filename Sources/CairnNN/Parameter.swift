public import CairnCore
public import CairnTensor

/// A named, trainable (or frozen) tensor of a model: the bridge between the numerics (`Tensor`) and the strategy
/// layer (`ModelParameter`).
///
/// The key is canonical (`model.layers.0.self_attn.q_proj.weight`). Values and gradient live in 64-byte aligned
/// `HostBuffer`s whose addresses never change, so strategies and state dicts can use them without copying.
public final class Parameter: ReleasableParameter {
    public let key: StateKey
    /// The values as a tensor, a leaf of the autograd tape when trainable.
    public let tensor: Tensor
    public var isTrainable: Bool {
        didSet { tensor.requiresGrad = isTrainable }
    }

    /// Creates a parameter holding `tensor`.
    public init(key: StateKey, tensor: Tensor, isTrainable: Bool = true) {
        self.key = key
        self.tensor = tensor
        self.isTrainable = isTrainable
        tensor.requiresGrad = isTrainable
    }

    public var shape: [Int] { tensor.shape }

    public var values: UnsafeMutableBufferPointer<Float> {
        precondition(tensor.hasStorage, "Parameter \(key): its values were released; a strategy must gather them first")
        return tensor.buffer.elements(of: Float.self)
    }

    public var gradient: UnsafeMutableBufferPointer<Float> {
        precondition(isTrainable, "Parameter \(key): frozen parameters have no gradient")
        return tensor.ensureGrad().buffer.elements(of: Float.self)
    }

    public var isMaterialized: Bool { tensor.hasStorage }

    public func materialize() {
        guard !tensor.hasStorage else { return }
        tensor.replaceStorage(with: TensorStoragePool.shared.makeBuffer(byteCount: tensor.count * MemoryLayout<Float>.stride))
    }

    public func release() {
        tensor.releaseStorage()
    }

    public func releaseGradient() {
        tensor.grad = nil
    }

    /// The values as a replicated state tensor viewing the live storage.
    public var stateTensor: StateTensor {
        StateTensor(layout: .replicated(shape), buffer: tensor.buffer)
    }
}
