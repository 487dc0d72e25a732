import CairnCore
internal import CMPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts non-blocking MPI operations and polls them to completion without pinning a thread.
///
/// MPICH progresses a non-blocking collective only inside MPI calls, so polling must stay frequent while data
/// moves, yet a rank that waits long for a slow peer should not burn a core the peer may need. The schedule:
/// - for the first ``busyPhase``, `MPI_Test` in a loop, yielding to other Swift tasks every few polls — as fast
///   as MPICH's own blocking calls;
/// - until ``idlePhase``, also `sched_yield` after each poll, so other processes on an oversubscribed machine
///   (4 ranks on 2 cores) get the core;
/// - after that, sleep ``idleSleep`` between polls: the collective is waiting for a peer, not moving data.
///
/// When ``run(_:for:deadline:start:)`` throws, the request may still be pending — MPI cannot cancel a
/// collective — and MPI may later read or write the memory it was given. Callers therefore free their scratch
/// memory (staging buffers, counts, matching values) only after success and deliberately leak it after a throw;
/// the communicator is failed for good by then, and the process should exit.
struct RequestPoller {
    /// How long to poll without yielding the processor to other processes.
    static let busyPhase: Duration = .microseconds(100)
    /// How long to poll before sleeping between polls.
    static let idlePhase: Duration = .seconds(1)
    /// The sleep between polls of a long wait.
    static let idleSleep: Duration = .microseconds(250)

    let environment: MPIEnvironment
    let rank: Int
    let worldSize: Int

    /// Starts the MPI call `function` with `start` (which receives the request to fill) and waits for it.
    /// - Parameters:
    ///   - function: the MPI function, for messages, such as `MPI_Iallreduce`.
    ///   - collective: the Cairn collective it carries, such as `allReduce`.
    ///   - deadline: when to give up; `nil` waits forever.
    /// - Throws: ``CommunicatorError`` `.transport` or `.peerFailed` if MPI reports an error, `.timedOut` after
    ///   `deadline`; in both the latter cases the request is abandoned.
    func run(
        _ function: String, for collective: String, deadline: ContinuousClock.Instant?,
        start: (UnsafeMutablePointer<MPI_Request>) -> Int32
    ) async throws {
        let request = UnsafeMutablePointer<MPI_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        request.initialize(to: cairn_mpi_request_null())
        try check(environment.call { start(request) }, function, for: collective)
        try await wait(request, function, for: collective, deadline: deadline)
    }

    /// Throws the ``CommunicatorError`` for a failed MPI return code.
    func check(_ code: Int32, _ function: String, for collective: String) throws {
        guard code != cairn_mpi_success() else { return }
        let errorClass = MPIEnvironment.errorClass(code)
        let kind: CommunicatorError.Code = errorClass == cairn_mpi_err_proc_failed() ? .peerFailed : .transport
        throw CommunicatorError(kind, rank: rank, collective: collective, worldSize: worldSize,
                                "\(function) failed: \(MPIEnvironment.errorString(code))")
    }

    // MARK: - Private helpers

    private func wait(
        _ request: UnsafeMutablePointer<MPI_Request>, _ function: String, for collective: String,
        deadline: ContinuousClock.Instant?
    ) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        var polls = 0
        while true {
            var isComplete: Int32 = 0
            let code = environment.call { MPI_Test(request, &isComplete, cairn_mpi_status_ignore()) }
            if code != cairn_mpi_success() {
                environment.abandonPendingRequest()
                try check(code, "MPI_Test of \(function)", for: collective)
            }
            if isComplete != 0 { return }
            polls += 1
            let now = clock.now
            if let deadline, now >= deadline {
                environment.abandonPendingRequest()
                throw CommunicatorError(
                    .timedOut, rank: rank, collective: collective, worldSize: worldSize,
                    "\(function) did not complete within \(now - started): another rank has not called it, "
                        + "is stuck, or died (its request is abandoned; exit this process)")
            }
            let waited = now - started
            if waited < Self.busyPhase {
                if polls % 16 == 0 { await Task.yield() }
            } else if waited < Self.idlePhase {
                sched_yield()
                if polls % 4 == 0 { await Task.yield() }
            } else {
                try? await Task.sleep(for: Self.idleSleep)
            }
        }
    }
}
