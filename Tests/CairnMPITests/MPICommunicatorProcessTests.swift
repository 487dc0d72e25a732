import Foundation
import Testing

/// `MPICommunicator` in real MPI jobs: `mpiexec.mpich -n 2` and `-n 3` run `cairn-mpi-check` in every process.
@Suite(
    .serialized,
    .enabled(if: MPIJob.isLauncherInstalled, "mpiexec.mpich is not installed (apt-get install mpich libmpich-dev)")
)
struct MPICommunicatorProcessTests {
    @Test(arguments: [2, 3])
    func everyLawHoldsInEveryProcess(processes: Int) async throws {
        let outcome = try await MPIJob.run(processes: processes, ["--timeout", "30"], bound: .seconds(90))
        #expect(outcome.status == 0 && !outcome.wasStopped, "\(outcome)")
        #expect(outcome.output.contains("laws on \(processes) ranks: all passed"), "\(outcome)")
    }

    /// Chunks of at most 1000 elements take the staged all-gather and reduce-scatter paths and many
    /// `allGatherBytes` rounds; `MPI_THREAD_SERIALIZED` takes the locked call path.
    @Test func everyLawHoldsWithSmallChunksAndSerializedThreads() async throws {
        let arguments = ["--timeout", "30", "--max-elements-per-call", "1000", "--thread-level", "serialized"]
        let outcome = try await MPIJob.run(processes: 2, arguments, bound: .seconds(90))
        #expect(outcome.status == 0 && !outcome.wasStopped, "\(outcome)")
        #expect(outcome.output.contains("MPI_THREAD_SERIALIZED"), "\(outcome)")
        #expect(outcome.output.contains("all passed"), "\(outcome)")
    }

    /// A rank killed by a signal: Hydra ends the whole job at once, nothing hangs — long before the survivors'
    /// own 120-second collective timeout could (start-up alone takes seconds on a loaded two-core machine).
    @Test func killingOneRankEndsTheJobPromptly() async throws {
        let outcome = try await MPIJob.run(
            processes: 3, ["--die-at-barrier", "1", "--timeout", "120"], bound: .seconds(110))
        #expect(!outcome.wasStopped, "\(outcome)")
        #expect(outcome.status != 0, "\(outcome)")
        #expect(outcome.elapsed < .seconds(60), "\(outcome)")
        #expect(outcome.output.contains("killing myself"), "\(outcome)")
        #expect(!outcome.output.contains("unexpected: the barrier completed"), "\(outcome)")
    }

    /// With `-disable-auto-cleanup` and a rank that exits unfinalized, MPICH leaves the survivors waiting: the
    /// communicator's timeout turns that into `.timedOut` and the survivors exit non-zero.
    @Test func survivorsTimeOutWhenTheLauncherDoesNotCleanUp() async throws {
        let outcome = try await MPIJob.run(
            processes: 3, ["--die-at-barrier", "2", "--die-by", "exit", "--timeout", "2"],
            launcherArguments: ["-disable-auto-cleanup"], bound: .seconds(90))
        #expect(!outcome.wasStopped, "\(outcome)")
        #expect(outcome.status != 0, "\(outcome)")
        // A hang would last until the bound; start-up of three processes alone takes seconds on a loaded machine.
        #expect(outcome.elapsed < .seconds(45), "\(outcome)")
        for rank in [0, 1] {
            #expect(outcome.output.contains("[rank \(rank)/3] barrier failed"), "\(outcome)")
        }
        #expect(outcome.output.contains("did not complete within"), "\(outcome)")
    }

    @Test func theCheckerFailsOnUnknownArguments() async throws {
        let outcome = try await MPIJob.run(processes: 1, ["--no-such-flag"], bound: .seconds(30))
        #expect(outcome.status != 0, "\(outcome)")
        #expect(outcome.output.contains("unknown argument --no-such-flag"), "\(outcome)")
    }
}
