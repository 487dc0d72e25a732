import CairnCore
import CairnFSDP
import Testing

@Suite struct RowChunkingTests {
    private func rows(_ shape: [Int], worldSize: Int) -> [Range<Int>] {
        let chunking = RowChunking(shape: shape, worldSize: worldSize)
        return (0..<worldSize).map { chunking.rows(ofRank: $0) }
    }

    /// The example of the FSDP2 docs: `torch.chunk` of 3 rows over 4 ranks leaves the last rank empty.
    @Test func threeRowsOnFourRanksLeaveTheLastEmpty() {
        #expect(rows([3, 8], worldSize: 4) == [0..<1, 1..<2, 2..<3, 3..<3])
        let chunking = RowChunking(shape: [3, 8], worldSize: 4)
        #expect((0..<4).map(chunking.elementCount(ofRank:)) == [8, 8, 8, 0])
        #expect(chunking.paddedShardElementCount == 8)
        #expect(!chunking.isEven)
        #expect(chunking.layout(ofRank: 3).localElementCount == 0)
        #expect(chunking.layout(ofRank: 3).localShape == [0, 8])
        #expect(chunking.layout(ofRank: 3).isWellFormed)
    }

    @Test func unevenRowsGiveFullShardsThenAShorterOne() {
        #expect(rows([10], worldSize: 4) == [0..<3, 3..<6, 6..<9, 9..<10])
        #expect(rows([7, 3], worldSize: 4) == [0..<2, 2..<4, 4..<6, 6..<7])
        // ⌈5/4⌉ = 2, so the third rank gets one row and the fourth none: torch.chunk semantics, not an even split.
        #expect(rows([5, 3], worldSize: 4) == [0..<2, 2..<4, 4..<5, 5..<5])
    }

    @Test func aTensorSmallerThanTheWorldGivesOneRowToTheFirstRanks() {
        #expect(rows([1], worldSize: 4) == [0..<1, 1..<1, 1..<1, 1..<1])
        #expect(rows([2, 2, 2], worldSize: 3) == [0..<1, 1..<2, 2..<2])
        #expect(RowChunking(shape: [1], worldSize: 4).paddedShardElementCount == 1)
    }

    @Test func evenRowsNeedNoPadding() {
        let chunking = RowChunking(shape: [8, 2], worldSize: 4)
        #expect(chunking.isEven)
        #expect(chunking.paddedShardElementCount == 4)
        #expect(rows([8, 2], worldSize: 4) == [0..<2, 2..<4, 4..<6, 6..<8])
        #expect(RowChunking(shape: [5, 3], worldSize: 1).isEven)
    }

    @Test func zeroRowsOrZeroSizedRowsShardToNothing() {
        let noRows = RowChunking(shape: [0, 5], worldSize: 3)
        #expect(noRows.rowsPerRank == 0)
        #expect(noRows.paddedShardElementCount == 0)
        #expect((0..<3).map(noRows.rows(ofRank:)) == [0..<0, 0..<0, 0..<0])
        let emptyRows = RowChunking(shape: [3, 0], worldSize: 2)
        #expect((0..<2).map(emptyRows.elementCount(ofRank:)) == [0, 0])
        #expect(emptyRows.paddedShardElementCount == 0)
    }

    /// For every small shape and world size: shards are contiguous, cover dim 0 once in rank order, none is larger
    /// than ⌈rows / W⌉, only shards after the last full one are short, and the rank-ordered padded shards of a
    /// tensor begin with the tensor itself (what lets an all-gather skip reordering).
    @Test(arguments: 1...5)
    func shardsPartitionDimZeroInRankOrder(worldSize: Int) {
        for rowCount in 0...13 {
            for rowElements in [1, 3] {
                let chunking = RowChunking(shape: [rowCount, rowElements], worldSize: worldSize)
                let ranges = (0..<worldSize).map(chunking.rows(ofRank:))
                #expect(ranges.first?.lowerBound == 0)
                #expect(ranges.last?.upperBound == rowCount)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.allSatisfy { $0.count <= chunking.rowsPerRank })
                let firstShort = ranges.firstIndex { $0.count < chunking.rowsPerRank } ?? worldSize
                #expect(ranges[firstShort...].dropFirst().allSatisfy { $0.isEmpty }, "\(rowCount) rows: \(ranges)")
                #expect(chunking.rowsPerRank == (rowCount + worldSize - 1) / worldSize)

                let tensor = (0..<rowCount * rowElements).map(Float.init)
                var gathered: [Float] = []
                for rank in 0..<worldSize {
                    let layout = chunking.layout(ofRank: rank)
                    var shard = Array(tensor[layout.globalElementRange])
                    shard += Array(repeating: -1, count: chunking.paddedShardElementCount - shard.count)
                    gathered += shard
                }
                #expect(Array(gathered.prefix(tensor.count)) == tensor)
                #expect(chunking.isEven == (gathered.count == tensor.count))
            }
        }
    }
}
