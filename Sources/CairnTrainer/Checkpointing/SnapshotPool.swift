import CairnCore
import CairnTensor

/// Reusable host buffers for the snapshots of asynchronous saves, filled in the background.
///
/// Fresh pages fault slowly on first touch (PLATFORM.md: ~0.3 GB/s into a new buffer against ~11 GB/s for a copy
/// into a warm one), so every save copies into the same buffers. The copy itself runs in the background too: it
/// reads the live parameters and optimizer state, which nothing changes until the next optimizer update, so the
/// trainer only waits (``Snapshot/ready``) right before that update — by then the next step's forward and backward
/// passes have usually hidden the copy entirely. At most one save is in flight, so a buffer is never overwritten
/// while the previous save still writes it.
final class SnapshotPool {
    /// A snapshot whose tensor bytes are being copied.
    struct Snapshot: Sendable {
        /// The state, viewing pooled buffers (complete once ``ready`` finishes); scalars are already values.
        var state: StateDict
        /// Finishes when every tensor has been copied.
        var ready: Task<Void, Never>
    }

    private var buffers: [StateKey: HostBuffer] = [:]

    private struct Transfer: Sendable {
        let source: HostBuffer
        let destination: HostBuffer
    }

    /// Starts copying `state` (live views) into pooled buffers and returns at once.
    func beginSnapshot(_ state: StateDict) -> Snapshot {
        var copy = StateDict()
        var used: Set<StateKey> = []
        var transfers: [Transfer] = []
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
            used.insert(key)
            transfers.append(Transfer(source: tensor.buffer, destination: buffer))
            copy[key] = .tensor(StateTensor(layout: tensor.layout, buffer: buffer))
        }
        buffers = buffers.filter { used.contains($0.key) }
        let ready = Self.startCopying(transfers)
        return Snapshot(state: copy, ready: ready)
    }

    /// A complete copy of `state`, waiting for it (benchmarks).
    func snapshot(_ state: StateDict) async -> StateDict {
        let snapshot = beginSnapshot(state)
        await snapshot.ready.value
        return snapshot.state
    }

    private static func startCopying(_ transfers: [Transfer]) -> Task<Void, Never> {
        Task.detached(priority: .medium) {
            for transfer in transfers { copy(transfer.source, into: transfer.destination) }
        }
    }

    /// Copies in parallel chunks: one core's memcpy reaches about half the machine's memory bandwidth.
    private static func copy(_ source: HostBuffer, into destination: HostBuffer) {
        Parallel.forEachChunk(count: destination.byteCount, minimumChunk: 4 << 20) { range in
            (destination.baseAddress + range.lowerBound).copyMemory(from: source.baseAddress + range.lowerBound,
                                                                   byteCount: range.count)
        }
    }
}
