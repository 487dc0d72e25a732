import CairnConformance
import CairnCore
import CairnMPI

/// Runs the communicator laws on this process's rank and reports, rank 0 with a summary for the whole job.
struct ConformanceRun {
    var options: CheckOptions

    /// Returns the exit status: 0 when every rank passed every law.
    func run() async throws -> Int32 {
        let environment = try MPIEnvironment.initialize(
            requiredThreadLevel: options.serializedThreads ? .serialized : .multiple)
        let communicator = try await MPICommunicator(
            timeout: options.timeout, validatesMatching: options.validatesMatching,
            maximumElementsPerCall: options.maximumElementsPerCall, environment: environment)
        let prefix = "[rank \(communicator.rank)/\(communicator.worldSize)]"
        let clock = ContinuousClock()
        let started = clock.now
        let failures = await CommunicatorConformance.check(communicator, laws: options.laws)
        let elapsed = clock.now - started
        for failure in failures { Output.line("\(prefix) FAIL \(failure)") }
        // A law that threw may leave the ranks out of step: then report locally only.
        let threw = failures.contains(where: \.endedTheRun)
        var total = Int64(failures.count)
        if !threw {
            total = try await communicator.allReduce(total, .sum)
        }
        if communicator.rank == 0 || threw {
            let laws = options.laws.map(\.rawValue).joined(separator: ", ")
            let setting = "\(environment.libraryVersion), \(environment.threadLevel), "
                + "matching checks \(options.validatesMatching ? "on" : "off"), "
                + "max \(options.maximumElementsPerCall) elements per call"
            let verdict = total == 0 ? "all passed" : "\(total) failure(s)\(threw ? " on this rank" : "")"
            Output.line("\(prefix) cairn-mpi-check: \(options.laws.count) laws on \(communicator.worldSize) ranks: "
                        + "\(verdict) in \(elapsed) (\(setting))\n  laws: \(laws)")
        }
        return total == 0 ? 0 : 1
    }
}
