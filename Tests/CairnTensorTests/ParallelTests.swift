import CairnTensor
import Synchronization
import Testing

@Suite struct ParallelTests {
    @Test func chunkCountDependsOnlyOnSizes() {
        #expect(Parallel.chunkCount(count: 0, minimumChunk: 10) == 0)
        #expect(Parallel.chunkCount(count: 5, minimumChunk: 10) == 1)
        #expect(Parallel.chunkCount(count: 35, minimumChunk: 10) == 3)
        #expect(Parallel.chunkCount(count: 1_000_000, minimumChunk: 1) == Parallel.maximumChunkCount)
    }

    @Test func chunksTileTheRangeInOrder() {
        for (count, chunks) in [(10, 3), (7, 7), (100, 32), (33, 32)] {
            var next = 0
            for index in 0..<chunks {
                let range = Parallel.chunk(index, of: chunks, count: count)
                #expect(range.lowerBound == next)
                #expect(range.count >= count / chunks && range.count <= count / chunks + 1)
                next = range.upperBound
            }
            #expect(next == count)
        }
    }

    @Test func forEachChunkVisitsEveryIndexOnce() {
        let count = 10_000
        let visits = Mutex([Int](repeating: 0, count: count))
        Parallel.forEachIndexedChunk(count: count, minimumChunk: 100) { chunk, range in
            #expect(
                range == Parallel.chunk(chunk, of: Parallel.chunkCount(count: count, minimumChunk: 100), count: count))
            visits.withLock { visits in
                for index in range { visits[index] += 1 }
            }
        }
        #expect(visits.withLock { $0.allSatisfy { $0 == 1 } })
    }
}
