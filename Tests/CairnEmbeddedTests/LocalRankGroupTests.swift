import CairnCore
import CairnEmbedded
import Testing

/// Owned float storage that can cross into a rank's task.
private final class Floats: @unchecked Sendable {
    // Each instance is used by exactly one rank's task.
    let pointer: UnsafeMutableBufferPointer<Float>
    init(_ values: [Float]) {
        pointer = .allocate(capacity: values.count)
        _ = pointer.initialize(from: values)
    }
    deinit { pointer.deallocate() }
    var values: [Float] { Array(pointer) }
}

@Suite struct LocalRankGroupTests {
    @Test(arguments: [1, 2, 3, 4])
    func allReduceSumsInRankOrder(worldSize: Int) async throws {
        let group = LocalRankGroup(worldSize: worldSize)
        let results = try await group.run { communicator in
            let data = Floats((0..<37).map { Float($0) * 0.1 + Float(communicator.rank) * 1e-3 })
            try await communicator.allReduce(data.pointer, .sum)
            return data.values
        }
        var expected = [Float](repeating: 0, count: 37)
        for i in 0..<37 {
            var accumulator = Float(i) * 0.1
            for rank in 1..<worldSize { accumulator += Float(i) * 0.1 + Float(rank) * 1e-3 }
            expected[i] = accumulator
        }
        for result in results { #expect(result == expected) }
    }

    @Test(arguments: [2, 3, 4])
    func allGatherAndReduceScatterMatchTheReference(worldSize: Int) async throws {
        let group = LocalRankGroup(worldSize: worldSize)
        let results = try await group.run { communicator in
            let rank = communicator.rank
            let send = Floats([Float(rank), Float(rank) + 0.5])
            let gathered = Floats(Array(repeating: -1, count: 2 * worldSize))
            try await communicator.allGather(UnsafeBufferPointer(send.pointer), into: gathered.pointer)
            let scatterSend = Floats((0..<(3 * worldSize)).map { Float($0 + rank) })
            let scattered = Floats([0, 0, 0])
            try await communicator.reduceScatter(UnsafeBufferPointer(scatterSend.pointer), into: scattered.pointer, .max)
            return (gathered.values, scattered.values)
        }
        let gatheredExpected = (0..<worldSize).flatMap { [Float($0), Float($0) + 0.5] }
        for (rank, (gathered, scattered)) in results.enumerated() {
            #expect(gathered == gatheredExpected)
            #expect(scattered == (0..<3).map { Float(rank * 3 + $0 + worldSize - 1) })
        }
    }

    @Test func broadcastAndBytesReachEveryRank() async throws {
        let group = LocalRankGroup(worldSize: 3)
        let results = try await group.run { communicator in
            let data = Floats(communicator.rank == 1 ? [7, 8] : [0, 0])
            try await communicator.broadcast(data.pointer, root: 1)
            let blobs = try await communicator.allGatherBytes(Array(repeating: UInt8(communicator.rank), count: communicator.rank))
            try await communicator.barrier()
            return (data.values, blobs)
        }
        for (values, blobs) in results {
            #expect(values == [7, 8])
            #expect(blobs == [[], [1], [2, 2]])
        }
    }

    @Test func mismatchedCollectivesFailInsteadOfCorrupting() async throws {
        let group = LocalRankGroup(worldSize: 2)
        await #expect(throws: CommunicatorError.self) {
            _ = try await group.run { communicator in
                if communicator.rank == 0 {
                    try await communicator.barrier()
                } else {
                    _ = try await communicator.allGatherBytes([1])
                }
            }
        }
    }

    @Test func aDeadRankFailsTheOthersWithItsOwnError() async throws {
        struct Boom: Error {}
        let group = LocalRankGroup(worldSize: 3)
        await #expect(throws: Boom.self) {
            _ = try await group.run { communicator in
                if communicator.rank == 2 { throw Boom() }
                try await communicator.barrier()
            }
        }
    }

    @Test func aMissingRankTimesOut() async throws {
        let group = LocalRankGroup(worldSize: 2, timeout: .milliseconds(200))
        let error = await #expect(throws: CommunicatorError.self) {
            try await group.communicator(rank: 0).barrier()
        }
        #expect(error?.code == .timedOut)
    }
}
