import CairnCore
import CairnZeRO
import Testing

struct FlatPartitionTests {
    // MARK: - Fixed cases

    /// `a` (5) and `b` (3) over 3 ranks: N = 8, P = 3; `a` spans ranks 0–1, `b` spans ranks 1–2.
    @Test func parametersSpanningRanksSplitAtPartitionBoundaries() {
        let partition = FlatPartition(parameters: [("a", 5), ("b", 3)], worldSize: 3)
        #expect(partition.elementCount == 8)
        #expect(partition.partitionSize == 3)
        #expect(partition.paddedElementCount == 9)
        #expect((0..<3).map(partition.flatRange(ofRank:)) == [0..<3, 3..<6, 6..<8])
        #expect((0..<3).map { partition.localRange(ofEntry: 0, rank: $0) } == [0..<3, 3..<5, 5..<5])
        #expect((0..<3).map { partition.localRange(ofEntry: 1, rank: $0) } == [0..<0, 0..<1, 1..<3])
        let rank1 = partition.pieces(ofRank: 1)
        #expect(rank1.map(\.key) == ["a", "b"])
        #expect(rank1.map(\.localRange) == [3..<5, 0..<1])
        #expect(rank1.map(\.partitionOffset) == [0, 2])
    }

    /// One parameter over every rank, with the last partition padded: 10 elements, 4 ranks, P = 3.
    @Test func oneParameterSpansEveryRankAndTheLastIsPadded() {
        let partition = FlatPartition(parameters: [("big", 10)], worldSize: 4)
        #expect(partition.partitionSize == 3)
        #expect(partition.paddedElementCount == 12)
        #expect((0..<4).map { partition.localRange(ofEntry: 0, rank: $0) } == [0..<3, 3..<6, 6..<9, 9..<10])
        #expect(partition.ranks(overlapping: 2..<7) == 0..<3)
        #expect(partition.ranks(overlapping: 9..<10) == 3..<4)
    }

    /// Fewer elements than ranks: the ranks past the end own empty partitions at N, and hold empty pieces.
    @Test func fewerElementsThanRanksLeavesTrailingRanksEmpty() {
        let partition = FlatPartition(parameters: [("x", 2), ("y", 1)], worldSize: 5)
        #expect(partition.partitionSize == 1)
        #expect((0..<5).map(partition.flatRange(ofRank:)) == [0..<1, 1..<2, 2..<3, 3..<3, 3..<3])
        let rank4 = partition.pieces(ofRank: 4)
        #expect(rank4.map(\.localRange) == [2..<2, 1..<1])
        #expect(rank4.allSatisfy { $0.partitionOffset == 0 })
    }

    /// No elements at all: every partition is empty and nothing overlaps.
    @Test func anEmptyVectorHasEmptyPartitions() {
        let partition = FlatPartition(parameters: [("scalarless", 0)], worldSize: 3)
        #expect(partition.partitionSize == 0)
        #expect((0..<3).allSatisfy { partition.flatRange(ofRank: $0) == 0..<0 })
        #expect(partition.ranks(overlapping: 0..<0) == 0..<0)
        #expect(partition.pieces(ofRank: 2).map(\.localRange) == [0..<0])
    }

    /// A flat run maps to the parameter pieces it covers, skipping empty parameters.
    @Test func segmentsCrossParameterBoundariesAndSkipEmptyParameters() {
        let partition = FlatPartition(parameters: [("a", 4), ("empty", 0), ("b", 2), ("c", 5)], worldSize: 2)
        let segments = partition.segments(of: 3..<8)
        #expect(segments.map(\.entry) == [0, 2, 3])
        #expect(segments.map(\.localRange) == [3..<4, 0..<2, 0..<2])
        #expect(partition.segments(of: 6..<6).isEmpty)
        #expect(partition.entries.map(\.offset) == [0, 4, 4, 6])
    }

    // MARK: - Laws over many shapes

    /// For many shapes and world sizes: partitions are contiguous, at most P long and cover 0..<N; every
    /// parameter's pieces, in rank order, tile it exactly once; offsets point inside the rank's partition; and
    /// `ranks(overlapping:)` names exactly the ranks with a non-empty piece.
    @Test(arguments: [1, 2, 3, 4, 5, 7])
    func piecesTileEveryParameterExactlyOnce(worldSize: Int) {
        let shapes: [[Int]] = [[1], [7], [3, 3, 0, 5], [12, 1, 1, 9], [2, 2, 2, 2, 2, 2], [0, 0, 4], [31, 6]]
        for counts in shapes {
            let parameters = counts.enumerated().map { (StateKey("p\($0.offset)"), $0.element) }
            let partition = FlatPartition(parameters: parameters, worldSize: worldSize)
            let n = counts.reduce(0, +)
            #expect(partition.partitionSize == (n + worldSize - 1) / worldSize)
            var next = 0
            for rank in 0..<worldSize {
                let owned = partition.flatRange(ofRank: rank)
                #expect(owned.lowerBound == next && owned.count <= partition.partitionSize)
                next = owned.upperBound
            }
            #expect(next == n)
            let pieces = (0..<worldSize).map(partition.pieces(ofRank:))
            for (entry, count) in counts.enumerated() {
                var covered = 0
                for rank in 0..<worldSize {
                    let piece = pieces[rank][entry]
                    #expect(piece.localRange.lowerBound == covered, "\(counts) W=\(worldSize) entry \(entry) rank \(rank)")
                    covered = piece.localRange.upperBound
                    let owned = partition.flatRange(ofRank: rank)
                    #expect(piece.partitionOffset + piece.localRange.count <= owned.count)
                    if !piece.localRange.isEmpty {
                        #expect(owned.lowerBound + piece.partitionOffset
                                == partition.entries[entry].offset + piece.localRange.lowerBound)
                    }
                }
                #expect(covered == count)
                let holders = (0..<worldSize).filter { !pieces[$0][entry].localRange.isEmpty }
                #expect(Array(partition.ranks(overlapping: partition.entries[entry].flatRange)) == holders)
            }
        }
    }
}
