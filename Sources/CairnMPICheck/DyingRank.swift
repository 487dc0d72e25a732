import CairnCore
import CairnMPI
import Foundation

/// Ends one rank between two barriers, so tests can check that the others end instead of hanging.
///
/// Under Hydra (`mpiexec.mpich`), a rank killed by a signal makes Hydra terminate the whole job even with
/// `-disable-auto-cleanup`; a rank that exits with a status without finalizing MPI does so only without that
/// flag. With it, the survivors hang in their barrier unless the communicator's timeout fires.
struct DyingRank {
    var options: CheckOptions

    /// Returns the exit status of a survivor: 1 when its barrier failed (expected), 2 if it completed.
    func run(dyingRank: Int) async throws -> Int32 {
        let communicator = try await MPICommunicator(timeout: options.timeout)
        let prefix = "[rank \(communicator.rank)/\(communicator.worldSize)]"
        try await communicator.barrier()
        if communicator.rank == dyingRank {
            if options.diesByExit {
                Output.line("\(prefix) exiting with status 3, without finalizing MPI, before the second barrier")
                _exit(3)
            }
            Output.line("\(prefix) killing myself with SIGKILL before the second barrier")
            kill(getpid(), SIGKILL)
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await communicator.barrier()
        } catch {
            Output.line("\(prefix) barrier failed after \(clock.now - started): \(error)")
            return 1
        }
        Output.line("\(prefix) unexpected: the barrier completed without rank \(dyingRank)")
        return 2
    }
}
