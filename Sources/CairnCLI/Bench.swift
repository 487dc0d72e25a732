import ArgumentParser
import Cairn
import CairnTensor
import Foundation

/// `cairn bench …`: figures measured on this machine, each beside the limit measured in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput against this machine's limits.",
        subcommands: [BenchTrain.self, BenchCheckpoint.self, BenchShardedCheckpoint.self])
}

/// `cairn bench train`.
struct BenchTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training tokens/s and model FLOP/s for the tiny and small shapes, as a share of the sgemm peak, "
            + "and ddp on two in-process ranks against single.")

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
            // DDP on two ranks: each rank one micro-batch of the shape per step, the cores split between them.
            let ddp = try await TrainingBenchmark.run(.small, strategy: DDPStrategy(), worldSize: 2, steps: steps)
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
            let single = results[1]
            print("""

                small, ddp on 2 in-process ranks (\(2 * ddp.shape.batchSize * ddp.shape.sequenceLength) tokens/step, \
                one micro-batch per rank, the \(ProcessInfo.processInfo.activeProcessorCount) cores split between them):
                  \(format(ddp.secondsPerStep, digits: 3)) s/step, \(format(ddp.tokensPerSecond, digits: 0)) tokens/s = \
                \(format(ddp.tokensPerSecond / single.tokensPerSecond, digits: 2))× single's \
                \(format(single.tokensPerSecond, digits: 0)) tokens/s, \
                \(format(100 * ddp.modelGFLOPs / peak, digits: 1))% of peak
                """)
            print("\ns/step is the median of \(steps) timed steps after 2 warm-up steps (the slowest rank's), AdamW.")
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

/// `cairn bench sharded-checkpoint`.
struct BenchShardedCheckpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharded-checkpoint",
        abstract: "Sharded durable save (W ranks vs 1) and resharded load (W → W′ vs W → W) of the small model + AdamW, beside raw disk bandwidth.")

    @Option(help: "A folder on the disk to measure (its benchmark files are removed afterwards).")
    var folder = "outputs/bench-checkpoint"

    @Option(help: "Rounds of raw write, two saves, raw read, two loads.")
    var rounds = 3

    @Option(help: "W: the ranks that save the sharded checkpoint.")
    var worldSize = 4

    @Option(help: "W′: the ranks that load it resharded.")
    var reshardedWorldSize = 2

    func validate() throws {
        guard worldSize >= 2, reshardedWorldSize >= 1, reshardedWorldSize != worldSize, rounds >= 1 else {
            throw ValidationError("needs --world-size ≥ 2, --resharded-world-size ≥ 1 and ≠ --world-size, --rounds ≥ 1")
        }
    }

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            let result = try await ShardedCheckpointBenchmark.run(
                state: CheckpointThroughputBenchmark.smallModelState(), folder: folder, shardedWorldSize: worldSize,
                reshardedWorldSize: reshardedWorldSize, rounds: rounds)
            let (w, w2) = (worldSize, reshardedWorldSize)
            print("small model + AdamW state: \(format(Double(result.byteCount) / 1e6, digits: 0)) MB of float32, "
                  + "fsdp2 row pieces, ranks of one process (LocalRankGroup), in \(folder)\n")
            print("durable save: every rank's files fsync'ed, then the distributed commit")
            printRow(["round", "raw write", "save ×1", "save ×\(w)", "×\(w) vs ×1", "×\(w) / raw"])
            for (index, round) in result.rounds.enumerated() {
                printRow([
                    "\(index + 1)", rate(round.rawWrite.gigabytesPerSecond),
                    timed(round.single.gigabytesPerSecond, round.single.seconds),
                    timed(round.sharded.gigabytesPerSecond, round.sharded.seconds),
                    format(round.shardedSpeedup, digits: 2) + "×", format(round.shardedSaveRatio, digits: 2) + "×",
                ])
            }
            print("\nload of the ×\(w) checkpoint: each rank reads only the byte ranges its pieces need, as resume does")
            printRow(["round", "raw read", "load \(w) → \(w)", "load \(w) → \(w2)", "\(w)→\(w2) vs \(w)→\(w)", "\(w)→\(w2) / raw"])
            for (index, round) in result.rounds.enumerated() {
                let cache = round.rawRead.isCold && round.sameLayout.isCold && round.resharded.isCold ? "cold" : "warm"
                printRow([
                    "\(index + 1)", rate(round.rawRead.gigabytesPerSecond) + " " + cache,
                    timed(round.sameLayout.gigabytesPerSecond, round.sameLayout.seconds),
                    timed(round.resharded.gigabytesPerSecond, round.resharded.seconds),
                    format(round.reshardedLoadRatio, digits: 2) + "×", format(round.reshardedReadRatio, digits: 2) + "×",
                ])
            }
            let exact = result.rounds.allSatisfy { $0.sameLayout.isExact && $0.resharded.isExact }
            print("\nmedians: save ×\(w) \(format(result.median(\.shardedSpeedup), digits: 2))× the speed of ×1 and "
                  + "\(format(result.median(\.shardedSaveRatio), digits: 2))× raw write; load \(w) → \(w2) "
                  + "\(format(result.median(\.reshardedLoadRatio), digits: 2))× the throughput of \(w) → \(w) and "
                  + "\(format(result.median(\.reshardedReadRatio), digits: 2))× raw read")
            print("every load returned exactly the saved bytes of its pieces: \(exact ? "yes" : "NO")")
            if !exact { throw ExitCode.failure }
        }
    }

    /// Column widths of both tables: the round, a rate, two timed rates, two ratios.
    private static let widths = [5, 15, 19, 19, 12, 10]

    private func printRow(_ cells: [String]) {
        let padded = zip(cells, Self.widths).enumerated().map { index, cell in
            index == 0 ? cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0) : cell.0.leftPadded(cell.1)
        }
        print(padded.joined(separator: "  "))
    }

    private func rate(_ gigabytesPerSecond: Double) -> String {
        format(gigabytesPerSecond, digits: 2) + " GB/s"
    }

    private func timed(_ gigabytesPerSecond: Double, _ seconds: Double) -> String {
        rate(gigabytesPerSecond) + " (" + format(seconds, digits: 2) + " s)"
    }

    private func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
