public import CairnCore

/// A float32 tensor on the CPU: a row-major, contiguous run of `count` values in a ``HostBuffer``.
///
/// The buffer is shared, not copied, by ``reshaped(_:)`` and by state dicts that view parameters, so a parameter
/// written by the optimizer is what the next checkpoint saves. Tensors produced by an op while a ``Tape`` records
/// and some input requires a gradient are part of that tape's graph; gradients of *leaves* (tensors no op
/// produced, such as parameters with ``requiresGrad``) accumulate into ``grad``.
///
/// A tensor belongs to one rank's isolation domain and is not `Sendable`.
public final class Tensor {
    /// The size of each dimension; `[]` is a scalar (one element).
    public let shape: [Int]
    /// The storage: exactly `count * 4` bytes, 64-byte aligned when Cairn allocated it — or, while a sharding
    /// strategy has released it (``releaseStorage()``), an empty buffer.
    public private(set) var buffer: HostBuffer
    /// The number of elements: the product of ``shape``.
    public let count: Int
    /// Whether gradients flow to this tensor: set by the model on trainable leaves, and by ops on their outputs
    /// while a tape records and some input requires a gradient.
    public var requiresGrad = false
    /// The accumulated gradient of a leaf (same shape), `nil` until the first backward pass reaches it.
    public var grad: Tensor?

    /// The first element, cached from ``buffer``.
    private var storedBase: UnsafeMutablePointer<Float>

    /// The first element. Reading it from a released tensor is a programming error (a strategy forgot to gather).
    var base: UnsafeMutablePointer<Float> {
        precondition(hasStorage, "Tensor \(shape): its storage was released; gather it before use")
        return storedBase
    }
    /// The recording that produced this tensor (a ``Tape`` graph id), or 0 for leaves and untracked tensors.
    var graphID: UInt64 = 0
    /// This tensor's gradient slot in the recording that produced it.
    var gradientSlot = -1

    // MARK: - Initializers

    /// Wraps `buffer` as a tensor of `shape`.
    ///
    /// - Precondition: Every dimension is non-negative, `buffer.byteCount == count * 4`, and the buffer is 4-byte
    ///   aligned.
    public init(shape: [Int], buffer: HostBuffer) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        precondition(
            buffer.byteCount == count * MemoryLayout<Float>.stride,
            "Tensor: buffer of \(buffer.byteCount) bytes for shape \(shape) (\(count) floats)")
        precondition(
            Int(bitPattern: buffer.baseAddress) % MemoryLayout<Float>.alignment == 0,
            "Tensor: buffer is not aligned for Float")
        self.shape = shape
        self.buffer = buffer
        self.count = count
        self.storedBase = buffer.baseAddress.assumingMemoryBound(to: Float.self)
    }

    /// A tensor of `shape` holding a copy of `values`.
    ///
    /// - Precondition: `values.count` is the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) {
        let count = shape.reduce(1, *)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        self.init(shape: shape, buffer: TensorStoragePool.shared.makeBuffer(byteCount: count * 4))
        values.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { base.update(from: start, count: count) }
        }
    }

    /// A tensor of `shape` filled with zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        let tensor = uninitialized(shape)
        tensor.base.update(repeating: 0, count: tensor.count)
        return tensor
    }

    /// A tensor of `shape` filled with `value`.
    public static func filled(_ shape: [Int], with value: Float) -> Tensor {
        let tensor = uninitialized(shape)
        tensor.base.update(repeating: value, count: tensor.count)
        return tensor
    }

    /// A tensor of `shape` whose values are unspecified; large ones come from ``TensorStoragePool/shared``.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, buffer: TensorStoragePool.shared.makeBuffer(byteCount: count * 4))
    }

    /// A scalar tensor (shape `[]`) holding `value`.
    public static func scalar(_ value: Float) -> Tensor {
        Tensor(shape: [], values: [value])
    }

    // MARK: - Storage

    /// Whether the tensor holds its values (false between ``releaseStorage()`` and ``replaceStorage(with:)``).
    public var hasStorage: Bool { buffer.byteCount == count * MemoryLayout<Float>.stride }

    /// Drops the values' storage, keeping the tensor (and every op's reference to it) alive: sharding strategies
    /// free gathered parameters between uses this way.
    public func releaseStorage() {
        buffer = HostBuffer(uninitializedByteCount: 0)
        storedBase = buffer.baseAddress.assumingMemoryBound(to: Float.self)
    }

    /// Gives the tensor new storage (for example freshly gathered values); ops recorded earlier read it from then on.
    /// - Precondition: `buffer` holds exactly `count * 4` bytes, aligned for `Float`.
    public func replaceStorage(with buffer: HostBuffer) {
        precondition(buffer.byteCount == count * MemoryLayout<Float>.stride,
                     "Tensor \(shape): storage of \(buffer.byteCount) bytes, needs \(count * MemoryLayout<Float>.stride)")
        precondition(Int(bitPattern: buffer.baseAddress) % MemoryLayout<Float>.alignment == 0,
                     "Tensor: buffer is not aligned for Float")
        self.buffer = buffer
        storedBase = buffer.baseAddress.assumingMemoryBound(to: Float.self)
    }

    // MARK: - Gradients

    /// Whether no op recorded on a live tape produced this tensor (parameters, inputs, constants).
    public var isLeaf: Bool { graphID == 0 }

    /// The leaf's gradient, allocated and zeroed when it is `nil`.
    @discardableResult
    public func ensureGrad() -> Tensor {
        if let grad { return grad }
        let zeros = Tensor.zeros(shape)
        grad = zeros
        return zeros
    }
}

/// Tensors are confined to one rank's task; their buffers cross tasks only as ``HostBuffer``s (see its rules).
@available(*, unavailable)
extension Tensor: Sendable {}
