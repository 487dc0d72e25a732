import ArgumentParser
import Cairn
import CairnTensor
import Foundation

/// `cairn bench …`: figures measured on this machine, each beside the limit measured in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput against this machine's limits.",
        subcommands: [BenchTrain.self, BenchCheckpoint.self])
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

/// `cairn bench checkpoint`.
struct BenchCheckpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Durable save and cold load GB/s of the small model + AdamW, beside raw disk bandwidth, and the async stall.")

    @Option(help: "A folder on the disk to measure (created; its benchmark files are removed afterwards).")
    var folder = "outputs/bench-checkpoint"

    @Option(help: "Rounds of raw write, save, raw read, load.")
    var rounds = 3

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            let result = try await CheckpointThroughputBenchmark.run(folder: folder, strategy: SingleDeviceStrategy(), rounds: rounds)
            print("small model + AdamW state: \(format(Double(result.byteCount) / 1e6, digits: 0)) MB of float32, in \(folder)\n")
            print("round  raw write  durable save  save/raw   raw read   load       load/raw")
            for (index, round) in result.rounds.enumerated() {
                let readKind = round.rawRead.isCold ? "cold" : "warm"
                print([
                    "\(index + 1)".padding(toLength: 5, withPad: " ", startingAt: 0),
                    (format(round.rawWrite.gigabytesPerSecond, digits: 2) + " GB/s").leftPadded(10),
                    (format(round.checkpoint.saveGigabytesPerSecond, digits: 2) + " GB/s").leftPadded(13),
                    (format(round.saveRatio, digits: 2) + "×").leftPadded(9),
                    (format(round.rawRead.gigabytesPerSecond, digits: 2) + " GB/s \(readKind)").leftPadded(16),
                    (format(round.checkpoint.loadGigabytesPerSecond, digits: 2) + " GB/s").leftPadded(10),
                    (format(round.loadRatio, digits: 2) + "×").leftPadded(9),
                ].joined(separator: " "))
            }
            let saveRatios = result.rounds.map(\.saveRatio).sorted()
            let loadRatios = result.rounds.map(\.loadRatio).sorted()
            print("\nmedian save/raw write \(format(saveRatios[saveRatios.count / 2], digits: 2))×, "
                  + "median load/raw read \(format(loadRatios[loadRatios.count / 2], digits: 2))×")
            let stall = result.asyncStall
            print("training stall per save, small model, saving after every step: synchronous "
                  + "\(format(stall.synchronousSave * 1000, digits: 1)) ms, asynchronous "
                  + "\(format(stall.asynchronousStall * 1000, digits: 1)) ms (\(format(100 * stall.ratio, digits: 1))%)")
        }
    }

    private func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
