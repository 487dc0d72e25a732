import CairnCore

/// N ranks as tasks of one process, with deterministic collectives: the default way Cairn runs on one machine.
///
/// Collectives reduce in rank order (`((x₀ + x₁) + x₂) + …`) with each rank reducing its own slice of the
/// elements in parallel, so results are bit-identical run to run and independent of scheduling. In-process
/// collectives are 2–4× faster than MPI on one machine (PLATFORM.md).
///
/// ```swift
/// let group = LocalRankGroup(worldSize: 4)
/// let losses = try await group.run { communicator in
///     try await train(rank: communicator.rank, communicator: communicator)
/// }
/// ```
public final class LocalRankGroup: Sendable {
    /// The number of ranks.
    public let worldSize: Int
    let rendezvous: Rendezvous

    /// Creates a group.
    /// - Parameters:
    ///   - worldSize: the number of ranks, at least 1.
    ///   - timeout: how long a rank waits for the others inside one collective before the whole group fails with
    ///     ``CommunicatorError`` `.timedOut`; `nil` waits forever.
    public init(worldSize: Int, timeout: Duration? = nil) {
        precondition(worldSize >= 1, "LocalRankGroup: world size \(worldSize) < 1")
        self.worldSize = worldSize
        self.rendezvous = Rendezvous(worldSize: worldSize, timeout: timeout)
    }

    /// The communicator of `rank`.
    public func communicator(rank: Int) -> LocalCommunicator {
        precondition((0..<worldSize).contains(rank), "LocalRankGroup: rank \(rank) outside 0..<\(worldSize)")
        return LocalCommunicator(group: self, rank: rank)
    }

    /// Runs `body` once per rank, concurrently, and returns the results in rank order.
    ///
    /// When one rank throws, the group fails so the others stop at their next collective instead of hanging,
    /// and `run` rethrows the first rank's own error (not the consequential `.peerFailed` of the others).
    public func run<Result: Sendable>(
        _ body: @escaping @Sendable (LocalCommunicator) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { tasks in
            for rank in 0..<worldSize {
                let communicator = communicator(rank: rank)
                tasks.addTask {
                    do {
                        return (rank, try await body(communicator))
                    } catch {
                        self.fail(rank: rank, because: error)
                        throw RankFailure(rank: rank, error: error)
                    }
                }
            }
            var results = [Result?](repeating: nil, count: worldSize)
            var failures: [RankFailure] = []
            while true {
                do {
                    guard let (rank, result) = try await tasks.next() else { break }
                    results[rank] = result
                } catch let failure as RankFailure {
                    failures.append(failure)
                }
            }
            if let first = failures.first(where: { !Self.isConsequential($0.error) }) ?? failures.first {
                throw first.error
            }
            return results.map { $0! }
        }
    }

    /// Fails the group on behalf of `rank`: every rank waiting in a collective, now or later, throws
    /// ``CommunicatorError`` `.peerFailed` with `error` as the cause.
    public func fail(rank: Int, because error: any Error) {
        rendezvous.fail(
            CommunicatorError(.peerFailed, rank: rank, collective: "any", worldSize: worldSize,
                              "rank \(rank) failed", cause: error))
    }

    private static func isConsequential(_ error: any Error) -> Bool {
        guard let error = error as? CommunicatorError else { return false }
        return error.code == .peerFailed
    }
}

private struct RankFailure: Error {
    var rank: Int
    var error: any Error
}
