import CairnCore

/// The equal-count collectives that move one unit's elements between the ranks' flat partitions and the whole
/// parameters: an all-gather of values (stage 3 before a unit is used; stages 1–2 after the optimizer update, with
/// the whole model as one unit) and a reduce-scatter of gradients (stages 2–3, as soon as a unit's are ready).
///
/// A unit's parameters occupy one or more runs of the flat vector (the root unit of a tied Qwen3 two: the
/// embedding first, the final norm last). Their intersections with rank `k`'s partition are its
/// segments `S_k`, `n_k` elements in all. ``Communicator`` needs equal counts on every rank, so each exchange
/// carries `C = max_k n_k` elements per rank — rank `k`'s segments packed in flat order, zero-padded to `C` — cut into
/// rounds of at most `bucket / W` elements per rank, so one collective never carries more than a bucket.
///
/// Every count comes from ``FlatPartition`` math that all ranks share, so ranks agree without talking; sums run in
/// the communicator's fixed order, so results are deterministic.
struct UnitExchange {
    /// A contiguous run of flat elements that occupies `packedStart ..< packedStart + flat.count` of a rank's
    /// packed chunk.
    struct Run {
        var flat: Range<Int>
        var packedStart: Int
    }

    /// The partition the unit lives in.
    let partition: FlatPartition
    /// Per rank, the flat ranges of the unit it owns, in flat order.
    let segments: [[Range<Int>]]
    /// Per rank, the number of elements in its segments (`n_k`).
    let counts: [Int]
    /// The padded per-rank count of the exchange (`C`).
    let chunkCount: Int

    // MARK: - Initializers

    /// Plans the exchange of `entries` (indices into `partition.entries`).
    init(partition: FlatPartition, entries: [Int]) {
        var runs: [Range<Int>] = []
        for range in entries.map({ partition.entries[$0].flatRange }).filter({ !$0.isEmpty })
            .sorted(by: { $0.lowerBound < $1.lowerBound })
        {
            if let last = runs.last, last.upperBound == range.lowerBound {
                runs[runs.count - 1] = last.lowerBound..<range.upperBound
            } else {
                runs.append(range)
            }
        }
        self.init(partition: partition, runs: runs)
    }

    /// Plans the exchange of the whole flat vector: every rank's partition (stages 1–2 after the update).
    static func whole(_ partition: FlatPartition) -> UnitExchange {
        UnitExchange(partition: partition, runs: partition.elementCount > 0 ? [0..<partition.elementCount] : [])
    }

    private init(partition: FlatPartition, runs: [Range<Int>]) {
        self.partition = partition
        segments = (0..<partition.worldSize).map { rank in
            let owned = partition.flatRange(ofRank: rank)
            return runs.compactMap { run in
                let lower = max(run.lowerBound, owned.lowerBound)
                let upper = min(run.upperBound, owned.upperBound)
                return lower < upper ? lower..<upper : nil
            }
        }
        counts = segments.map { $0.reduce(0) { $0 + $1.count } }
        chunkCount = counts.max() ?? 0
    }

    // MARK: - Sizes

    /// The per-rank elements of one round: at most `bucket / W` (at least 1), at most `C`.
    func roundCount(bucket: Int) -> Int {
        min(chunkCount, max(1, bucket / partition.worldSize))
    }

    /// The scratch elements an exchange holds while it runs: `W + 1` rounds' worth.
    func scratchElementCount(bucket: Int) -> Int {
        roundCount(bucket: bucket) * (partition.worldSize + 1)
    }

    /// The runs of rank `rank`'s segments that fall in packed positions `packed`.
    func runs(ofRank rank: Int, packed: Range<Int>) -> [Run] {
        var runs: [Run] = []
        var position = 0
        for segment in segments[rank] {
            let lower = max(packed.lowerBound, position)
            let upper = min(packed.upperBound, position + segment.count)
            if lower < upper {
                let flatStart = segment.lowerBound + lower - position
                runs.append(Run(flat: flatStart..<flatStart + upper - lower, packedStart: lower))
            }
            position += segment.count
            if position >= packed.upperBound { break }
        }
        return runs
    }

    // MARK: - Collectives

    /// All-gathers the unit: every rank contributes its own segments (`readOwn` copies a flat run of them into the
    /// buffer it is given) and receives everyone's (`write` stores a flat run), round by round.
    /// - Parameters:
    ///   - writesOwn: whether `write` also receives this rank's own segments (false when they are already in place).
    ///   - ledger: charged with the round buffers while they live, as parameter bytes.
    /// - Throws: ``CommunicatorError`` from the all-gather.
    func allGather(
        communicator: any Communicator, bucket: Int, writesOwn: Bool, ledger: MemoryLedger,
        readOwn: (Range<Int>, UnsafeMutableBufferPointer<Float>) -> Void,
        write: (Range<Int>, UnsafeBufferPointer<Float>) -> Void
    ) async throws {
        guard chunkCount > 0 else { return }
        let worldSize = partition.worldSize
        let rank = communicator.rank
        let round = roundCount(bucket: bucket)
        let send = UnsafeMutableBufferPointer<Float>.allocate(capacity: round)
        let receive = UnsafeMutableBufferPointer<Float>.allocate(capacity: round * worldSize)
        ledger.change(parameterElements: scratchElementCount(bucket: bucket))
        defer {
            send.deallocate()
            receive.deallocate()
            ledger.change(parameterElements: -scratchElementCount(bucket: bucket))
        }
        var offset = 0
        while offset < chunkCount {
            let count = min(round, chunkCount - offset)
            let packed = offset..<offset + count
            let chunk = UnsafeMutableBufferPointer(rebasing: send[0..<count])
            chunk.update(repeating: 0)
            for run in runs(ofRank: rank, packed: packed) {
                let start = run.packedStart - offset
                readOwn(run.flat, UnsafeMutableBufferPointer(rebasing: chunk[start..<start + run.flat.count]))
            }
            let gathered = UnsafeMutableBufferPointer(rebasing: receive[0..<count * worldSize])
            try await communicator.allGather(UnsafeBufferPointer(chunk), into: gathered)
            for source in 0..<worldSize where writesOwn || source != rank {
                for run in runs(ofRank: source, packed: packed) {
                    let start = source * count + run.packedStart - offset
                    write(run.flat, UnsafeBufferPointer(rebasing: gathered[start..<start + run.flat.count]))
                }
            }
            offset += count
        }
    }

    /// Reduce-scatters the unit's gradients: `read` copies a flat run of this rank's whole gradients into the
    /// buffer it is given; the sum over ranks of this rank's own segments goes to `accumulateOwn`, round by round.
    /// - Parameter ledger: charged with the round buffers while they live, as gradient bytes.
    /// - Throws: ``CommunicatorError`` from the reduce-scatter.
    func reduceScatter(
        communicator: any Communicator, bucket: Int, ledger: MemoryLedger,
        read: (Range<Int>, UnsafeMutableBufferPointer<Float>) -> Void,
        accumulateOwn: (Range<Int>, UnsafeBufferPointer<Float>) -> Void
    ) async throws {
        guard chunkCount > 0 else { return }
        let worldSize = partition.worldSize
        let rank = communicator.rank
        let round = roundCount(bucket: bucket)
        let send = UnsafeMutableBufferPointer<Float>.allocate(capacity: round * worldSize)
        let receive = UnsafeMutableBufferPointer<Float>.allocate(capacity: round)
        ledger.change(gradientElements: scratchElementCount(bucket: bucket))
        defer {
            send.deallocate()
            receive.deallocate()
            ledger.change(gradientElements: -scratchElementCount(bucket: bucket))
        }
        var offset = 0
        while offset < chunkCount {
            let count = min(round, chunkCount - offset)
            let packed = offset..<offset + count
            let chunks = UnsafeMutableBufferPointer(rebasing: send[0..<count * worldSize])
            chunks.update(repeating: 0)
            for target in 0..<worldSize {
                for run in runs(ofRank: target, packed: packed) {
                    let start = target * count + run.packedStart - offset
                    read(run.flat, UnsafeMutableBufferPointer(rebasing: chunks[start..<start + run.flat.count]))
                }
            }
            let reduced = UnsafeMutableBufferPointer(rebasing: receive[0..<count])
            try await communicator.reduceScatter(UnsafeBufferPointer(chunks), into: reduced, .sum)
            for run in runs(ofRank: rank, packed: packed) {
                let start = run.packedStart - offset
                accumulateOwn(run.flat, UnsafeBufferPointer(rebasing: reduced[start..<start + run.flat.count]))
            }
            offset += count
        }
    }
}
