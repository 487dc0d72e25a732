import CairnCore
import CairnEmbedded
@testable import CairnZeRO
import Testing

struct UnitExchangeTests {
    /// `a` 5, `b` 3, `c` 4 over 3 ranks (P = 4): the unit {a, c} is two flat runs, 0..<5 and 8..<12, like a Qwen3
    /// root unit (embedding first, head and norm last).
    private let partition = FlatPartition(parameters: [("a", 5), ("b", 3), ("c", 4)], worldSize: 3)

    @Test func segmentsAreTheUnitsRunsCutAtPartitionBoundaries() {
        let exchange = UnitExchange(partition: partition, entries: [2, 0])
        #expect(exchange.segments == [[0..<4], [4..<5], [8..<12]])
        #expect(exchange.counts == [4, 1, 4])
        #expect(exchange.chunkCount == 4)
    }

    @Test func adjacentParametersMergeIntoOneRun() {
        let exchange = UnitExchange(partition: partition, entries: [1, 2])
        #expect(exchange.segments == [[], [5..<8], [8..<12]])
        #expect(exchange.chunkCount == 4)
        #expect(UnitExchange.whole(partition).segments == [[0..<4], [4..<8], [8..<12]])
    }

    /// Rounds carry at most `bucket / W` elements per rank, and never fewer than one.
    @Test func roundsAreBoundedByTheBucket() {
        let exchange = UnitExchange(partition: partition, entries: [0, 2])
        #expect(exchange.roundCount(bucket: 500_000_000) == 4)
        #expect(exchange.roundCount(bucket: 6) == 2)
        #expect(exchange.roundCount(bucket: 1) == 1)
        #expect(exchange.scratchElementCount(bucket: 6) == 2 * 4)
    }

    @Test func runsMapPackedPositionsBackToFlatElements() {
        let partition = FlatPartition(parameters: [("a", 3), ("b", 2), ("c", 3)], worldSize: 1)
        let exchange = UnitExchange(partition: partition, entries: [0, 2])
        #expect(exchange.segments == [[0..<3, 5..<8]])
        let runs = exchange.runs(ofRank: 0, packed: 2..<5)
        #expect(runs.map(\.flat) == [2..<3, 5..<7])
        #expect(runs.map(\.packedStart) == [2, 3])
    }

    /// A gather and a reduce-scatter in rounds of one element give what a single round gives, on 3 ranks.
    @Test(arguments: [1, 2, 500_000_000])
    func collectivesGiveTheSameResultsInAnyRoundSize(bucket: Int) async throws {
        let partition = self.partition
        let results = try await LocalRankGroup(worldSize: 3, timeout: .seconds(30)).run { communicator in
            let rank = communicator.rank
            let exchange = UnitExchange(partition: partition, entries: [0, 2])
            let owned = partition.flatRange(ofRank: rank)
            var gathered = [Float](repeating: -1, count: partition.elementCount)
            var reduced = [Float](repeating: 0, count: owned.count)
            try await exchange.allGather(
                communicator: communicator, bucket: bucket, writesOwn: true, ledger: MemoryLedger(),
                readOwn: { flat, destination in
                    for (i, index) in flat.enumerated() { destination[i] = Float(index * 10 + rank) }
                },
                write: { flat, source in
                    for (i, index) in flat.enumerated() { gathered[index] = source[i] }
                })
            try await exchange.reduceScatter(
                communicator: communicator, bucket: bucket, ledger: MemoryLedger(),
                read: { flat, destination in
                    for (i, index) in flat.enumerated() { destination[i] = Float(index + 100 * (rank + 1)) }
                },
                accumulateOwn: { flat, source in
                    for (i, index) in flat.enumerated() { reduced[index - owned.lowerBound] += source[i] }
                })
            return (gathered, reduced)
        }
        let unit = Set(Array(0..<5) + Array(8..<12))
        for (rank, (gathered, reduced)) in results.enumerated() {
            // Every element of the unit comes from its owner; elements outside the unit are untouched.
            let expectedGathered: [Float] = (0..<12).map { (index: Int) -> Float in
                unit.contains(index) ? Float(index * 10 + index / partition.partitionSize) : -1
            }
            #expect(gathered == expectedGathered)
            // The owner of a unit element holds its sum over ranks 100·(1 + 2 + 3) + 3·index.
            let owned = partition.flatRange(ofRank: rank)
            let expectedReduced: [Float] = owned.map { (index: Int) -> Float in
                unit.contains(index) ? Float(600 + 3 * index) : 0
            }
            #expect(reduced == expectedReduced)
        }
    }
}
