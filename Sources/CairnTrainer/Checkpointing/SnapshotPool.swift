import CairnCore

/// Reusable host buffers for the snapshots of asynchronous saves.
///
/// Fresh pages fault slowly on first touch (PLATFORM.md: ~0.3 GB/s into a new buffer against ~11 GB/s for a copy
/// into a warm one), so copying the state into the same buffers every save keeps the training stall to a memcpy.
/// At most one save is in flight, so a buffer is never overwritten while the previous save still writes it.
final class SnapshotPool {
    private var buffers: [StateKey: HostBuffer] = [:]

    /// A copy of `state` whose tensors live in pooled buffers (scalars are values already).
    func snapshot(_ state: StateDict) -> StateDict {
        var copy = StateDict()
        var used: Set<StateKey> = []
        for (key, value) in state.entries {
            guard let tensor = value.tensor else {
                copy[key] = value
                continue
            }
            let buffer: HostBuffer
            if let pooled = buffers[key], pooled.byteCount == tensor.buffer.byteCount {
                buffer = pooled
            } else {
                buffer = HostBuffer(uninitializedByteCount: tensor.buffer.byteCount)
                buffers[key] = buffer
            }
            if buffer.byteCount > 0 {
                buffer.baseAddress.copyMemory(from: tensor.buffer.baseAddress, byteCount: buffer.byteCount)
            }
            used.insert(key)
            copy[key] = .tensor(StateTensor(layout: tensor.layout, buffer: buffer))
        }
        buffers = buffers.filter { used.contains($0.key) }
        return copy
    }
}
