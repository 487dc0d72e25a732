import Dispatch

/// Deterministic data-parallel loops: work is split into a fixed number of chunks that depends only on the work
/// size, never on the thread count or on timing, and the chunks run concurrently.
///
/// Because the partition is a pure function of the sizes, a kernel that reduces per chunk and then combines the
/// chunk results in chunk order produces the same bits on every run and on every machine. Chunks must touch
/// disjoint outputs (or per-chunk scratch space).
public enum Parallel {
    /// The most chunks a loop is split into (enough to balance a few cores, few enough to keep per-chunk
    /// partial results small).
    public static let maximumChunkCount = 32

    /// The number of chunks for `count` items of at least `minimumChunk` items each: `count / minimumChunk`,
    /// clamped to `1...maximumChunkCount` (0 when `count` is 0).
    public static func chunkCount(count: Int, minimumChunk: Int) -> Int {
        guard count > 0 else { return 0 }
        return min(maximumChunkCount, max(1, count / max(1, minimumChunk)))
    }

    /// Chunk `index` of `chunkCount` near-equal contiguous chunks of `0..<count`.
    public static func chunk(_ index: Int, of chunkCount: Int, count: Int) -> Range<Int> {
        precondition(index >= 0 && index < chunkCount, "Parallel.chunk: index \(index) of \(chunkCount)")
        return (index * count / chunkCount)..<((index + 1) * count / chunkCount)
    }

    /// Calls `body` once per chunk of `0..<count` (see ``chunkCount(count:minimumChunk:)``), concurrently.
    ///
    /// `body` is called from several threads at once, each time with a different range, and must be safe to run
    /// so (write only to the elements of its range, or to memory no other chunk touches).
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        forEachIndexedChunk(count: count, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// Like ``forEachChunk(count:minimumChunk:_:)``, also passing each chunk's index (for per-chunk partial
    /// results combined afterwards in index order).
    public static func forEachIndexedChunk(count: Int, minimumChunk: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk)
        if chunks <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        withoutActuallyEscaping(body) { escapableBody in
            let work = ChunkWork(body: escapableBody)
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                work.body(index, chunk(index, of: chunks, count: count))
            }
        }
    }
}

/// The loop body handed to Dispatch's worker threads.
///
/// `@unchecked Sendable`: `forEachChunk` documents that the body runs concurrently on disjoint ranges, and
/// `concurrentPerform` returns only after every call has finished, so the non-escaping body never outlives its
/// caller.
private struct ChunkWork: @unchecked Sendable {
    let body: (Int, Range<Int>) -> Void
}
