import CairnConformance
import CairnCore
import CairnMPI
import Foundation

/// `cairn-mpi-check`: runs the ``Communicator`` laws on ``MPICommunicator`` in every process of an MPI job and
/// exits 0 when every rank passed, 1 otherwise; also benchmarks all-reduce and demonstrates a dying rank.
///
/// ```sh
/// mpiexec.mpich -n 2 .build/debug/cairn-mpi-check
/// mpiexec.mpich -n 2 .build/release/cairn-mpi-check --bench
/// .build/release/cairn-mpi-check --bench-embedded 2
/// ```
@main
struct MPICheck {
    static func main() async {
        let options: CheckOptions
        do {
            options = try CheckOptions(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch let error as UsageError {
            if let message = error.message { Output.error("cairn-mpi-check: \(message)") }
            Output.error(CheckOptions.usage)
            exit(error.message == nil ? 0 : 2)
        } catch {
            exit(2)
        }
        do {
            switch options.mode {
            case .conformance: exit(try await ConformanceRun(options: options).run())
            case .benchmark: try await AllReduceBenchmark(options: options).runMPI()
            case .embeddedBenchmark(let worldSize):
                try await AllReduceBenchmark(options: options).runEmbedded(worldSize)
            case .dieAtBarrier(let rank): exit(try await DyingRank(options: options).run(dyingRank: rank))
            }
        } catch {
            Output.error("cairn-mpi-check: \(error)")
            exit(3)
        }
    }
}

/// Unbuffered output, so lines survive a rank being killed.
enum Output {
    /// Writes one line to standard output.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes one line to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
