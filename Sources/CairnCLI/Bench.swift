import ArgumentParser
import Cairn
import CairnTensor
import Foundation

/// `cairn bench …`: figures measured on this machine, each beside the limit measured in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput against this machine's limits.",
        subcommands: [BenchTrain.self])
}

/// `cairn bench train`.
struct BenchTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training tokens/s and model FLOP/s for the tiny and small shapes, as a share of the sgemm peak.")

    @Option(help: "Timed optimizer steps per shape.")
    var steps = 6

    @Flag(inversion: .prefixedNo, help: "Also run bench/torch_train_reference.py when PyTorch is importable.")
    var torch = true

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            try CommandSupport.loadBLAS()
            let library = BLAS.library
            print("BLAS: \(library.description), \(BLAS.threadCount) thread(s)")
            var peak = SgemmPeak.measure(size: 2048)
            var results: [TrainingBenchmark.Result] = []
            for shape in [BenchmarkShape.tiny, .small] {
                results.append(try await TrainingBenchmark.run(shape, strategy: SingleDeviceStrategy(), steps: steps))
            }
            // The machine may be shared: measure the peak before and after, and keep the higher.
            peak = max(peak, SgemmPeak.measure(size: 2048))
            print("sgemm 2048³ peak: \(format(peak)) GFLOP/s (best of two measurements around the runs)\n")
            print("shape  tokens/step  s/step   tokens/s   model GFLOP/s  of peak   PyTorch tokens/s  Cairn/PyTorch")
            for result in results {
                let shape = result.shape
                let reference = torch ? PyTorchReference.tokensPerSecond(shape, steps: steps) : nil
                let columns = [
                    shape.name.padding(toLength: 6, withPad: " ", startingAt: 0),
                    "\(shape.batchSize * shape.sequenceLength)".leftPadded(11),
                    format(result.secondsPerStep, digits: 3).leftPadded(7),
                    format(result.tokensPerSecond, digits: 0).leftPadded(10),
                    format(result.modelGFLOPs).leftPadded(14),
                    (format(100 * result.modelGFLOPs / peak, digits: 1) + "%").leftPadded(8),
                    (reference.map { format($0, digits: 0) } ?? "n/a").leftPadded(18),
                    (reference.map { format(result.tokensPerSecond / $0, digits: 2) + "×" } ?? "n/a").leftPadded(14),
                ]
                print(columns.joined(separator: " "))
            }
            print("\ns/step is the median of \(steps) timed steps after 2 warm-up steps, single strategy, AdamW.")
            print("model FLOPs per token = 6·N(matmul weights) + 12·layers·heads·head_dim·seq (PaLM's MFU count)")
        }
    }

    private func format(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
