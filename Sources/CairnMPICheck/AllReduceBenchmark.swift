import CMPI
import CairnCore
import CairnEmbedded
import CairnMPI

/// All-reduce of a float32 buffer (64 MiB by default), best of N, beside a memcpy of the same size measured in
/// the same process.
///
/// Bus bandwidth follows NCCL's convention for all-reduce, `2(n−1)/n · bytes / time`: the bytes each rank must
/// send and receive at minimum, so figures compare across world sizes. Each iteration starts after a barrier
/// and takes the slowest rank's time. memcpy runs in rank 0 while the other ranks sleep.
struct AllReduceBenchmark {
    var options: CheckOptions

    var byteCount: Int { options.mebibytes << 20 }
    var elementCount: Int { byteCount / MemoryLayout<Float>.stride }

    /// Measures `MPICommunicator.allReduce` and blocking `MPI_Allreduce` in every rank; rank 0 prints.
    func runMPI() async throws {
        let communicator = try await MPICommunicator(timeout: options.timeout)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: elementCount)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0)
        let clock = ContinuousClock()
        func slowest(_ time: Duration) async throws -> Duration {
            .nanoseconds(try await communicator.allReduce(Int64(nanoseconds(time)), .max))
        }
        var best = Duration.seconds(1_000)
        for iteration in 0...options.iterations {
            try await communicator.barrier()
            let started = clock.now
            try await communicator.allReduce(buffer, .sum)
            let time = try await slowest(clock.now - started)
            if iteration > 0 { best = min(best, time) }
        }
        var bestBlocking = Duration.seconds(1_000)
        for iteration in 0...options.iterations {
            try await communicator.barrier()
            let started = clock.now
            MPI_Allreduce(cairn_mpi_in_place(), buffer.baseAddress, Int32(elementCount), cairn_mpi_float(),
                          cairn_mpi_sum(), cairn_mpi_comm_world())
            let time = try await slowest(clock.now - started)
            if iteration > 0 { bestBlocking = min(bestBlocking, time) }
        }
        let latency = try await measureLatency(communicator)
        let unchecked = try await MPICommunicator(timeout: options.timeout, validatesMatching: false)
        let uncheckedLatency = try await measureLatency(unchecked)
        // Rank 0 measures memcpy alone: the others sleep outside MPI rather than poll on a shared core.
        var copy = Duration.zero
        if communicator.rank == 0 {
            copy = measureMemcpy()
        } else {
            try await Task.sleep(for: .seconds(1.5))
        }
        try await communicator.barrier()
        guard communicator.rank == 0 else { return }
        let worldSize = communicator.worldSize
        Output.line("""
            all-reduce of \(options.mebibytes) MiB float32, \(worldSize) MPI ranks \
            (\(communicator.environment.libraryVersion)), best of \(options.iterations):
              MPICommunicator.allReduce   \(describe(best, worldSize: worldSize))
              MPI_Allreduce (blocking)    \(describe(bestBlocking, worldSize: worldSize))
              memcpy \(options.mebibytes) MiB           \(milliseconds(copy)) ms  \
            \(gigabytesPerSecond(byteCount, copy)) GB/s
            all-reduce of one Int64, median of 1000: \(microseconds(latency)) µs with matching checks, \
            \(microseconds(uncheckedLatency)) µs without
            """)
    }

    /// Measures `LocalRankGroup` all-reduce with `worldSize` in-process ranks.
    func runEmbedded(_ worldSize: Int) async throws {
        let group = LocalRankGroup(worldSize: worldSize, timeout: options.timeout)
        let (count, iterations) = (elementCount, options.iterations)
        let perRank = try await group.run { communicator in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 0)
            let clock = ContinuousClock()
            var times: [Duration] = []
            for _ in 0...iterations {
                try await communicator.barrier()
                let started = clock.now
                try await communicator.allReduce(buffer, .sum)
                times.append(clock.now - started)
            }
            return times
        }
        let best = (1...iterations).map { iteration in perRank.map { $0[iteration] }.max()! }.min()!
        let copy = measureMemcpy()
        Output.line("""
            all-reduce of \(options.mebibytes) MiB float32, LocalRankGroup of \(worldSize) ranks, best of \(iterations):
              LocalCommunicator.allReduce \(describe(best, worldSize: worldSize))
              memcpy \(options.mebibytes) MiB           \(milliseconds(copy)) ms  \
            \(gigabytesPerSecond(byteCount, copy)) GB/s
            """)
    }

    // MARK: - Private helpers

    /// The median time of a one-element all-reduce, over 1000 calls.
    private func measureLatency(_ communicator: MPICommunicator) async throws -> Duration {
        let clock = ContinuousClock()
        var times: [Duration] = []
        try await communicator.barrier()
        for _ in 0..<1000 {
            let started = clock.now
            _ = try await communicator.allReduce(Int64(1), .sum)
            times.append(clock.now - started)
        }
        return times.sorted()[times.count / 2]
    }

    private func microseconds(_ duration: Duration) -> String { format(nanoseconds(duration) / 1e3) }

    /// The best memcpy of ``byteCount`` between two touched buffers.
    private func measureMemcpy() -> Duration {
        let source = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
        let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
        defer { source.deallocate(); destination.deallocate() }
        source.initializeMemory(as: UInt8.self, repeating: 1)
        destination.initializeMemory(as: UInt8.self, repeating: 0)
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        for _ in 0...options.iterations {
            let started = clock.now
            destination.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: byteCount)
            best = min(best, clock.now - started)
        }
        return best
    }

    private func describe(_ time: Duration, worldSize: Int) -> String {
        let busBytes = Double(2 * (worldSize - 1)) / Double(worldSize) * Double(byteCount)
        return "\(milliseconds(time)) ms  algorithm \(gigabytesPerSecond(byteCount, time)) GB/s  "
            + "bus \(format(busBytes / seconds(time) / 1e9)) GB/s"
    }

    private func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }

    private func seconds(_ duration: Duration) -> Double { nanoseconds(duration) / 1e9 }

    private func milliseconds(_ duration: Duration) -> String { format(nanoseconds(duration) / 1e6) }

    private func gigabytesPerSecond(_ bytes: Int, _ duration: Duration) -> String {
        format(Double(bytes) / seconds(duration) / 1e9)
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(rounded)
    }
}
