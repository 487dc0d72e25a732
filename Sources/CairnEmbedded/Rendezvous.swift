import CairnCore
import Synchronization

/// What one rank brings to a collective: its buffers' addresses and a description for mismatch checks.
///
/// `@unchecked Sendable` because it carries raw addresses from one rank's task to the others. They are only
/// dereferenced between the two rendezvous of a single collective, while the owning rank is itself suspended
/// inside that collective and so cannot free or mutate the buffers; slices written by different ranks are
/// disjoint.
struct Contribution: @unchecked Sendable {
    var collective: String
    var scalarType: CollectiveScalarType?
    var count: Int
    var source: UnsafeRawPointer?
    var destination: UnsafeMutableRawPointer?
    var root: Int = 0
    var bytes: [UInt8] = []

    static func marker(_ collective: String) -> Contribution {
        Contribution(collective: collective, scalarType: nil, count: 0, source: nil, destination: nil)
    }

    func matches(_ other: Contribution) -> Bool {
        collective == other.collective && scalarType == other.scalarType && count == other.count && root == other.root
    }
}

/// A reusable all-ranks meeting point: every rank arrives with a ``Contribution``; the last arrival publishes all
/// of them and wakes the others. Suspends with continuations (never blocks a thread), so any number of ranks run
/// on Swift's cooperative pool, however few cores it has.
final class Rendezvous: Sendable {
    private struct State {
        var arrived: [Contribution?]
        var arrivedCount = 0
        var generation = 0
        var waiters: [CheckedContinuation<[Contribution], any Error>] = []
        var failure: CommunicatorError?
    }

    let worldSize: Int
    let timeout: Duration?
    private let state: Mutex<State>

    init(worldSize: Int, timeout: Duration?) {
        self.worldSize = worldSize
        self.timeout = timeout
        self.state = Mutex(State(arrived: Array(repeating: nil, count: worldSize)))
    }

    /// Waits until every rank has arrived and returns every rank's contribution, in rank order.
    /// - Throws: ``CommunicatorError`` `.peerFailed` if the group failed, `.mismatchedCollective` if ranks called
    ///   different collectives, `.timedOut` if the others did not arrive within the timeout.
    func arrive(rank: Int, with contribution: Contribution) async throws -> [Contribution] {
        let generation = try state.withLock { state throws(CommunicatorError) -> Int in
            if let failure = state.failure { throw failure }
            return state.generation
        }
        let worldSize = self.worldSize
        let watchdog = timeout.map { timeout in
            Task { [weak self] in
                try await Task.sleep(for: timeout)
                self?.fail(
                    CommunicatorError(.timedOut, rank: rank, collective: contribution.collective, worldSize: worldSize,
                                      "other ranks did not reach \(contribution.collective) within \(timeout)"),
                    ifStillIn: generation)
            }
        }
        defer { watchdog?.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if let failure = state.failure {
                    continuation.resume(throwing: failure)
                    return
                }
                state.arrived[rank] = contribution
                state.arrivedCount += 1
                state.waiters.append(continuation)
                guard state.arrivedCount == worldSize else { return }
                let all = state.arrived.map { $0! }
                let waiters = state.waiters
                state.arrived = Array(repeating: nil, count: worldSize)
                state.arrivedCount = 0
                state.waiters = []
                state.generation += 1
                if let odd = all.firstIndex(where: { !$0.matches(all[0]) }) {
                    let error = CommunicatorError(
                        .mismatchedCollective, rank: odd, collective: all[odd].collective, worldSize: worldSize,
                        "rank 0 called \(all[0].collective)(\(all[0].count)), rank \(odd) called "
                            + "\(all[odd].collective)(\(all[odd].count))")
                    state.failure = error
                    for waiter in waiters { waiter.resume(throwing: error) }
                } else {
                    for waiter in waiters { waiter.resume(returning: all) }
                }
            }
        }
    }

    /// Fails the group: every rank waiting now or later throws `error`.
    func fail(_ error: CommunicatorError) {
        fail(error, ifStillIn: nil)
    }

    private func fail(_ error: CommunicatorError, ifStillIn generation: Int?) {
        let waiters = state.withLock { state -> [CheckedContinuation<[Contribution], any Error>] in
            if let generation, state.generation != generation { return [] }
            if state.failure == nil { state.failure = error }
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
