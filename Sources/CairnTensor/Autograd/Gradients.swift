/// The gradients in flight during one backward pass, and where each op's backward sends its inputs' gradients.
///
/// Intermediate gradients live in slots (one per recorded output) until the op that produced the tensor consumes
/// them; leaf gradients go straight into ``Tensor/grad``. A slot remembers whether its tensor is exclusively the
/// slot's: a gradient passed through unchanged (by `add` or `reshaped`) may be shared by several slots, so adding
/// into it in place would corrupt the others, and such a slot is copied before its first in-place update.
final class Gradients {
    private let graphID: UInt64
    private var slots: [Slot?]

    private struct Slot {
        var tensor: Tensor
        var isExclusive: Bool
    }

    init(graphID: UInt64, slotCount: Int) {
        self.graphID = graphID
        self.slots = Array(repeating: nil, count: slotCount)
    }

    // MARK: - Queries

    /// Whether `tensor` wants a gradient: a leaf that requires one, or an output of this recording.
    func needsGradient(_ tensor: Tensor) -> Bool {
        tensor.requiresGrad && (tensor.graphID == 0 || tensor.graphID == graphID)
    }

    /// Removes and returns the gradient of the output in `slot`, if any reached it.
    func take(slot: Int) -> Tensor? {
        defer { slots[slot] = nil }
        return slots[slot]?.tensor
    }

    // MARK: - Accumulation

    /// Adds `gradient` (same element count as `input`) to `input`'s gradient.
    ///
    /// - Parameters:
    ///   - gradient: The contribution; adopted without a copy when it is the first one, so the caller must not
    ///     write to it afterwards.
    ///   - input: The op input the contribution belongs to; ignored when it needs no gradient.
    ///   - isShared: Whether `gradient` is also held elsewhere (an output gradient passed through unchanged), so
    ///     it must never be updated in place.
    func accumulate(_ gradient: Tensor, into input: Tensor, isShared: Bool = false) {
        guard needsGradient(input) else { return }
        precondition(
            gradient.count == input.count, "Gradients: gradient \(gradient.shape) for input \(input.shape)")
        let gradient = gradient.view(as: input.shape)
        if input.graphID == 0 {
            if let existing = input.grad {
                precondition(existing.count == input.count, "Gradients: grad \(existing.shape) for \(input.shape)")
                ElementwiseKernels.addInPlace(existing.base, gradient.base, count: input.count)
            } else {
                input.grad = isShared ? gradient.copy() : gradient
            }
            return
        }
        let index = input.gradientSlot
        guard let slot = slots[index] else {
            slots[index] = Slot(tensor: gradient, isExclusive: !isShared)
            return
        }
        let target = slot.isExclusive ? slot.tensor : Tensor.uninitialized(input.shape)
        ElementwiseKernels.add(slot.tensor.base, gradient.base, into: target.base, count: input.count)
        slots[index] = Slot(tensor: target, isExclusive: true)
    }

    /// Lets `body` write or add `input`'s gradient contribution straight into its gradient buffer.
    ///
    /// `body` receives the buffer and `beta`: 0 when the buffer is fresh (write, do not read — sgemm's
    /// `beta = 0`), 1 when it already holds a gradient to add to. Nothing happens when `input` needs no gradient.
    func accumulateInPlace(into input: Tensor, _ body: (UnsafeMutablePointer<Float>, _ beta: Float) -> Void) {
        guard needsGradient(input) else { return }
        if input.graphID == 0 {
            if let existing = input.grad {
                precondition(existing.count == input.count, "Gradients: grad \(existing.shape) for \(input.shape)")
                body(existing.base, 1)
            } else {
                let fresh = Tensor.uninitialized(input.shape)
                body(fresh.base, 0)
                input.grad = fresh
            }
            return
        }
        let index = input.gradientSlot
        switch slots[index] {
        case .none:
            let fresh = Tensor.uninitialized(input.shape)
            body(fresh.base, 0)
            slots[index] = Slot(tensor: fresh, isExclusive: true)
        case .some(let slot) where slot.isExclusive:
            body(slot.tensor.base, 1)
        case .some(let slot):
            let owned = slot.tensor.copy()
            body(owned.base, 1)
            slots[index] = Slot(tensor: owned, isExclusive: true)
        }
    }
}
