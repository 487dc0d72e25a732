extension Tensor {
    // MARK: - Reading and writing

    /// A copy of the values in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// The single value of a one-element tensor (a loss).
    ///
    /// - Precondition: `count == 1`.
    public var item: Float {
        precondition(count == 1, "Tensor.item on shape \(shape)")
        return base[0]
    }

    /// Calls `body` with the values, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the values, writable. Writing to a tensor a tape saved for backward changes the
    /// gradients computed from it.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// A tensor with its own copy of the values (not recorded on any tape, `requiresGrad == false`).
    public func copy() -> Tensor {
        let result = Tensor.uninitialized(shape)
        result.base.update(from: base, count: count)
        return result
    }

    /// Copies `source`'s values into this tensor (same element count; not recorded on any tape).
    public func assign(from source: Tensor) {
        precondition(source.count == count, "Tensor.assign: \(source.shape) into \(shape)")
        if source.base != base { base.update(from: source.base, count: count) }
    }

    // MARK: - Shape

    /// The size of dimension `index`; negative indices count from the end.
    public func dimension(_ index: Int) -> Int {
        shape[index < 0 ? shape.count + index : index]
    }

    /// The tensor as `shape` without copying (a view untracked by any tape).
    func view(as shape: [Int]) -> Tensor {
        if shape == self.shape { return self }
        return Tensor(shape: shape, buffer: buffer)
    }
}

extension Tensor: CustomStringConvertible {
    /// `Tensor([2, 3], requiresGrad)` and the like; values are not printed.
    public var description: String {
        "Tensor(\(shape)\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
