import CairnConformance

/// The command line of `cairn-mpi-check`.
struct CheckOptions {
    /// What the tool does.
    enum Mode: Equatable {
        /// Runs the communicator laws in every process.
        case conformance
        /// Measures `MPICommunicator.allReduce` (and blocking `MPI_Allreduce`) beside memcpy.
        case benchmark
        /// Measures `LocalRankGroup.allReduce` with this many in-process ranks, beside memcpy.
        case embeddedBenchmark(worldSize: Int)
        /// Ends this rank between two barriers (by `SIGKILL`, or `_exit(3)` without finalizing MPI), to show how
        /// the others end.
        case dieAtBarrier(rank: Int)
    }

    static let usage = """
        usage: cairn-mpi-check [options]                  run the Communicator laws on MPICommunicator in every rank
               cairn-mpi-check --bench [options]          64 MiB float32 all-reduce, best of N, beside memcpy
               cairn-mpi-check --bench-embedded N         the same with LocalRankGroup(worldSize: N), no MPI
               cairn-mpi-check --die-at-barrier RANK      rank RANK dies before a barrier; the others must end

        launch under MPI:  mpiexec.mpich -n 2 cairn-mpi-check
        options:
          --laws LAW,LAW…             laws to check (default: all):
                                      \(CommunicatorConformance.Law.allCases.map(\.rawValue).joined(separator: " "))
          --timeout SECONDS           per-collective timeout (default 60; 0 waits forever)
          --max-elements-per-call N   MPICommunicator's chunk size (default 2147483647); small values test chunking
          --no-matching-checks        skip MPICommunicator's matching checks (and the mismatch law)
          --thread-level LEVEL        serialized or multiple (default): the MPI thread support to ask for
          --die-by kill|exit          how --die-at-barrier's rank dies: SIGKILL (default) or _exit(3) unfinalized
          --iterations N              benchmark repetitions (default 10)
          --mebibytes M               benchmark buffer size (default 64)
        """

    var mode = Mode.conformance
    var laws = CommunicatorConformance.Law.allCases
    var timeoutSeconds = 60.0
    var maximumElementsPerCall = Int(Int32.max)
    var validatesMatching = true
    var serializedThreads = false
    var diesByExit = false
    var iterations = 10
    var mebibytes = 64

    /// The per-collective timeout, `nil` for none.
    var timeout: Duration? { timeoutSeconds > 0 ? .milliseconds(Int(timeoutSeconds * 1000)) : nil }

    /// Parses `arguments` (without the program name).
    /// - Throws: ``UsageError`` naming the bad argument.
    init(arguments: [String]) throws {
        var remaining = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = remaining.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String, minimum: Int) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number >= minimum else {
                throw UsageError("\(flag) \(text): expected an integer ≥ \(minimum)")
            }
            return number
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--bench": mode = .benchmark
            case "--bench-embedded": mode = .embeddedBenchmark(worldSize: try integer(flag, minimum: 1))
            case "--die-at-barrier": mode = .dieAtBarrier(rank: try integer(flag, minimum: 0))
            case "--laws":
                laws = try value(flag).split(separator: ",").map { name in
                    guard let law = CommunicatorConformance.Law(rawValue: String(name)) else {
                        throw UsageError("unknown law \(name)")
                    }
                    return law
                }
            case "--timeout":
                let text = try value(flag)
                guard let seconds = Double(text), seconds >= 0 else { throw UsageError("--timeout \(text)") }
                timeoutSeconds = seconds
            case "--max-elements-per-call": maximumElementsPerCall = try integer(flag, minimum: 1)
            case "--no-matching-checks": validatesMatching = false
            case "--thread-level":
                switch try value(flag) {
                case "serialized": serializedThreads = true
                case "multiple": serializedThreads = false
                case let other: throw UsageError("--thread-level \(other): expected serialized or multiple")
                }
            case "--die-by":
                switch try value(flag) {
                case "kill": diesByExit = false
                case "exit": diesByExit = true
                case let other: throw UsageError("--die-by \(other): expected kill or exit")
                }
            case "--iterations": iterations = try integer(flag, minimum: 1)
            case "--mebibytes": mebibytes = try integer(flag, minimum: 1)
            case "--help", "-h": throw UsageError(nil)
            default: throw UsageError("unknown argument \(flag)")
            }
        }
        guard maximumElementsPerCall <= Int(Int32.max) else {
            throw UsageError("--max-elements-per-call must be at most \(Int32.max)")
        }
        if !validatesMatching { laws.removeAll { $0 == .detectsMismatchedCounts } }
    }
}

/// A bad command line; `message` is `nil` for `--help`.
struct UsageError: Error {
    var message: String?
    init(_ message: String?) { self.message = message }
}
