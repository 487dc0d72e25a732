/// A tensor inside a ``StateDict``: its layout and this rank's piece of bytes.
///
/// A component's ``StatefulComponent/stateDict()`` may return tensors that view its live storage; whoever keeps
/// one past the next mutation (an asynchronous save) must copy it first (``snapshot()``).
public struct StateTensor: Sendable {
    /// Global shape, element type and this rank's piece.
    public var layout: TensorLayout
    /// The bytes of this rank's piece, row-major, `layout.localByteCount` long.
    public var buffer: HostBuffer

    /// Creates a tensor value; the buffer must hold exactly the piece the layout names.
    public init(layout: TensorLayout, buffer: HostBuffer) {
        precondition(
            buffer.byteCount == layout.localByteCount,
            "StateTensor: \(buffer.byteCount) bytes for layout \(layout) (\(layout.localByteCount) bytes)")
        self.layout = layout
        self.buffer = buffer
    }

    /// A replicated float32 tensor holding a copy of `values`.
    public init(shape: [Int], copying values: [Float]) {
        self.init(layout: .replicated(shape), buffer: HostBuffer(copying: values))
    }

    /// The piece as float32 values (the layout's element type must be `float32`).
    public var floats: UnsafeMutableBufferPointer<Float> {
        precondition(layout.elementType == .float32, "StateTensor.floats on \(layout.elementType)")
        return buffer.elements(of: Float.self)
    }

    /// A copy whose bytes no longer alias the source.
    public func snapshot() -> StateTensor {
        StateTensor(layout: layout, buffer: HostBuffer(copying: buffer.bytes))
    }
}

extension StateTensor: Equatable {
    /// Equal when layouts match and the bytes are identical (bit-for-bit, so `-0.0 != 0.0` and NaNs compare).
    public static func == (lhs: StateTensor, rhs: StateTensor) -> Bool {
        lhs.layout == rhs.layout && lhs.buffer.hasSameBytes(as: rhs.buffer)
    }
}
