import Synchronization

/// A first-come, first-served lock for async code: one collective of a communicator runs at a time.
///
/// MPI requires every rank to start the collectives of a communicator in the same order. A chunked collective is
/// several MPI calls, so two tasks of one rank must not interleave theirs; holding this lock for the whole
/// collective guarantees that. Waiters suspend (no thread is blocked) and are resumed in arrival order.
final class CollectiveQueue: Sendable {
    private struct State {
        var isHeld = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Waits until the lock is free, then holds it.
    func acquire() async {
        let acquired = state.withLock { state -> Bool in
            guard !state.isHeld else { return false }
            state.isHeld = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if !state.isHeld {
                    state.isHeld = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// The number of tasks waiting for the lock.
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// Hands the lock to the next waiter, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            precondition(state.isHeld, "CollectiveQueue: release without a matching acquire")
            guard !state.waiters.isEmpty else {
                state.isHeld = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
