public import CairnCore
internal import CMPI
import Synchronization

/// A ``Communicator`` whose ranks are MPI processes: each process of an `mpiexec` job holds one.
///
/// ```swift
/// // mpiexec.mpich -n 4 .build/release/cairn train fsdp2.yaml
/// let communicator = try await MPICommunicator(timeout: .seconds(600))
/// try await communicator.allReduce(gradients, .sum)
/// ```
///
/// It has the semantics of `CairnEmbedded.LocalCommunicator` (checked by `CommunicatorConformance`) over a
/// duplicate of `MPI_COMM_WORLD`, with these MPI specifics:
///
/// - **Non-blocking collectives, polled.** Each collective starts the matching `MPI_I…` call and polls it
///   with `MPI_Test`, yielding to other tasks between polls, then also to other processes (`sched_yield`) after
///   100 µs and sleeping between polls after a second. An async caller never pins a thread, and
///   MPICH (which progresses a collective only inside MPI calls) still gets polled often enough to run at the
///   speed of its blocking calls. Task cancellation is not honoured inside a collective: MPI cannot abandon
///   one safely.
/// - **Timeout.** With a `timeout`, a collective that has not completed in time throws
///   ``CommunicatorError`` `.timedOut`. MPI cannot cancel a collective, so its request is abandoned: the
///   communicator then rethrows that error from every later collective, MPI may still write the abandoned
///   call's buffers, and the process should exit (without `MPI_Finalize`, which ``MPIEnvironment`` skips).
/// - **Matching checks.** With `validatesMatching` (the default), every collective first all-reduces a
///   four-number signature (collective, element type, count, operation or root), so ranks that call
///   mismatched collectives all throw `.mismatchedCollective` — and the communicator stays usable — instead of
///   corrupting memory or hanging. The cost is one 64-byte all-reduce per collective (a few microseconds on one
///   machine).
/// - **Large buffers.** MPI counts are `Int32`: buffers over `maximumElementsPerCall` elements (2³¹ − 1 by
///   default) are carried in chunks, so any `Int` count works with MPICH and OpenMPI alike. MPICH 4's `_c`
///   large-count calls are not used, because OpenMPI 4 (Debian 12) lacks them and chunking costs nothing
///   measurable at these sizes.
/// - **Reductions.** `.sum` of floating-point values follows MPI's reduction order, which may differ from the
///   embedded group's rank order in the last bit; MPICH gives every rank the same bits. `.sum` of `UInt8`
///   wraps around in MPI where Swift would trap.
///
/// # When a peer process dies
/// Measured with MPICH 4.0.2 (Debian 12, `ch4:ucx`), one machine, a rank killed by `SIGKILL` while the others
/// wait in a collective:
/// - **Default `mpiexec.mpich` (Hydra):** Hydra notices the dead process at once and kills every other rank of
///   the job; `mpiexec` exits non-zero within a fraction of a second ("BAD TERMINATION OF ONE OF YOUR
///   APPLICATION PROCESSES"). The survivors get no error to handle — they are terminated — and nothing hangs.
/// - **`mpiexec.mpich -disable-auto-cleanup`:** the survivors are not terminated and MPICH reports no error on
///   the pending collective: without a `timeout` they would wait forever. With one, they throw `.timedOut`
///   and can exit.
/// So set a `timeout` (longer than the slowest legitimate wait, such as rank 0 writing a checkpoint while the
/// others wait in a barrier) whenever the launcher might not clean up.
///
/// > Important: collectives are group operations. Every rank must call them, in the same order, with matching
/// > element types and counts.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let worldSize: Int
    /// The MPI library of this process.
    public let environment: MPIEnvironment
    /// How long one collective may take before it throws `.timedOut`; `nil` waits forever.
    public let timeout: Duration?
    /// Whether every collective first checks that all ranks called the same one with the same counts.
    public let validatesMatching: Bool
    /// The largest element count passed to one MPI call; larger buffers are carried in chunks.
    public let maximumElementsPerCall: Int

    let communicator: MPIHandle<MPI_Comm>
    let queue = CollectiveQueue()
    let failure = Mutex<CommunicatorError?>(nil)

    // MARK: - Initializers

    /// Creates a communicator over a duplicate of `MPI_COMM_WORLD`, initializing MPI if needed.
    ///
    /// Every rank of the job must create it at the same point (duplicating a communicator is collective).
    /// - Parameters:
    ///   - timeout: how long one collective may take before it throws ``CommunicatorError`` `.timedOut`;
    ///     `nil` (the default) waits forever.
    ///   - validatesMatching: whether collectives check that all ranks called the same collective with the same
    ///     counts (see the type's documentation); `true` by default.
    ///   - maximumElementsPerCall: the largest count of one MPI call, `1 ... Int32.max`; lower it only to test
    ///     chunking.
    ///   - environment: the MPI environment; by default ``MPIEnvironment/initialize(requiredThreadLevel:)``.
    /// - Throws: ``CommunicatorError`` `.transport` if MPI cannot be initialized or the duplicate fails,
    ///   `.timedOut` if other ranks do not join within `timeout`, `.invalidArgument` for a
    ///   `maximumElementsPerCall` outside `1...Int32.max`.
    public init(
        timeout: Duration? = nil, validatesMatching: Bool = true, maximumElementsPerCall: Int = Int(Int32.max),
        environment: MPIEnvironment? = nil
    ) async throws {
        let environment = try environment ?? MPIEnvironment.initialize()
        guard (1...Int(Int32.max)).contains(maximumElementsPerCall) else {
            throw CommunicatorError(
                .invalidArgument, rank: environment.rank, collective: "init", worldSize: environment.worldSize,
                "maximumElementsPerCall \(maximumElementsPerCall) is outside 1...\(Int32.max)")
        }
        self.environment = environment
        self.rank = environment.rank
        self.worldSize = environment.worldSize
        self.timeout = timeout
        self.validatesMatching = validatesMatching
        self.maximumElementsPerCall = maximumElementsPerCall
        self.communicator = try await Self.duplicateWorld(environment: environment, timeout: timeout)
    }

    deinit {
        // Freeing is local in practice; skip it once MPI is finalized or a request of this communicator is
        // abandoned (freeing a communicator with pending operations is erroneous).
        guard failure.withLock({ $0 == nil }) else { return }
        var flag: Int32 = 0
        MPI_Finalized(&flag)
        guard flag == 0 else { return }
        var handle = communicator.value
        _ = environment.call { MPI_Comm_free(&handle) }
    }

    // MARK: - Private helpers

    private static func duplicateWorld(
        environment: MPIEnvironment, timeout: Duration?
    ) async throws -> MPIHandle<MPI_Comm> {
        let duplicate = UnsafeMutablePointer<MPI_Comm>.allocate(capacity: 1)
        duplicate.initialize(to: cairn_mpi_comm_null())
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let poller = RequestPoller(environment: environment, rank: environment.rank, worldSize: environment.worldSize)
        try await poller.run("MPI_Comm_idup", for: "init", deadline: deadline) { request in
            MPI_Comm_idup(cairn_mpi_comm_world(), duplicate, request)
        }  // on a throw, `duplicate` is leaked: see RequestPoller
        defer { duplicate.deallocate() }
        let handle = duplicate.pointee
        let code = environment.call { MPI_Comm_set_errhandler(handle, cairn_mpi_errors_return()) }
        try poller.check(code, "MPI_Comm_set_errhandler", for: "init")
        return MPIHandle(value: handle)
    }
}
