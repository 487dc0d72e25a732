public import CairnCore

/// DeepSpeed's flat partitioning: parameters concatenated in canonical key order into one flat vector of `N`
/// elements, split into `W` equal partitions of `P = ⌈N / W⌉` elements (the last one padded), so rank `r` owns the
/// flat elements `[r·P, min((r+1)·P, N))` and one parameter may span two or more ranks.
///
/// The math is pure and identical on every rank: every collective ZeRO runs is sized from it, so ranks agree on
/// counts without talking. ``ZeRORuntime`` builds one partition of the trainable parameters (the optimizer's) and, at
/// stage 3, a second one of the frozen parameters.
///
/// ```swift
/// let partition = FlatPartition(parameters: [("a", 5), ("b", 3)], worldSize: 3)   // N = 8, P = 3
/// partition.flatRange(ofRank: 1)                  // 3..<6
/// partition.localRange(ofEntry: 0, rank: 1)       // 3..<5: elements 3 and 4 of "a"
/// partition.localRange(ofEntry: 1, rank: 1)       // 0..<1: element 0 of "b"
/// ```
public struct FlatPartition: Sendable, Hashable {
    /// One parameter's place in the flat vector.
    public struct Entry: Sendable, Hashable {
        /// The parameter's canonical key.
        public var key: StateKey
        /// The parameter's element count.
        public var elementCount: Int
        /// The flat index of the parameter's first element.
        public var offset: Int

        /// The parameter's elements in flat coordinates.
        public var flatRange: Range<Int> { offset..<offset + elementCount }
    }

    /// The intersection of one rank's partition with one parameter: an optimizer shard or a model piece.
    public struct Piece: Sendable, Hashable {
        /// The parameter's canonical key.
        public var key: StateKey
        /// The parameter's index in ``FlatPartition/entries``.
        public var entry: Int
        /// The piece in the parameter's own row-major elements; empty when the rank holds none of it.
        public var localRange: Range<Int>
        /// Where the piece starts in the rank's partition buffer.
        public var partitionOffset: Int
    }

    /// The parameters in flat order.
    public let entries: [Entry]
    /// The number of ranks `W`.
    public let worldSize: Int
    /// The number of flat elements `N`.
    public let elementCount: Int
    /// The elements per partition `P = ⌈N / W⌉` (0 when `N` is 0).
    public let partitionSize: Int

    // MARK: - Initializers

    /// Concatenates `parameters` in the order given (canonical key order in Cairn) and splits them over `worldSize`
    /// ranks.
    ///
    /// - Precondition: `worldSize ≥ 1` and every element count is non-negative.
    public init(parameters: [(key: StateKey, elementCount: Int)], worldSize: Int) {
        precondition(worldSize >= 1, "FlatPartition: world size \(worldSize) is below 1")
        var entries: [Entry] = []
        var offset = 0
        for parameter in parameters {
            precondition(parameter.elementCount >= 0, "FlatPartition: \(parameter.key) has a negative element count")
            entries.append(Entry(key: parameter.key, elementCount: parameter.elementCount, offset: offset))
            offset += parameter.elementCount
        }
        self.entries = entries
        self.worldSize = worldSize
        self.elementCount = offset
        self.partitionSize = (offset + worldSize - 1) / worldSize
    }

    // MARK: - Partitions

    /// `W · P`: the flat length including the last partition's padding, which equal-count collectives carry.
    public var paddedElementCount: Int { partitionSize * worldSize }

    /// The flat elements `rank` owns: `[r·P, min((r+1)·P, N))`, clamped to `N`, so a rank past the end (when
    /// `N < W`, or the padding is a whole partition) owns an empty range at `N`.
    public func flatRange(ofRank rank: Int) -> Range<Int> {
        precondition((0..<worldSize).contains(rank), "FlatPartition: rank \(rank) outside 0..<\(worldSize)")
        let start = min(rank * partitionSize, elementCount)
        return start..<min(start + partitionSize, elementCount)
    }

    /// The ranks whose partitions hold any element of `flatRange` (empty for an empty range).
    public func ranks(overlapping flatRange: Range<Int>) -> Range<Int> {
        guard !flatRange.isEmpty, partitionSize > 0 else { return 0..<0 }
        return flatRange.lowerBound / partitionSize..<(flatRange.upperBound - 1) / partitionSize + 1
    }

    /// The part of parameter `entry` that `rank` owns, in the parameter's own element coordinates.
    ///
    /// An empty intersection is placed where the rank's partition lies relative to the parameter: `0..<0` when
    /// the partition ends before the parameter starts, `count..<count` when it starts after the parameter ends; so
    /// every rank's pieces of one parameter, in rank order, tile `0..<count` without gaps or overlaps.
    public func localRange(ofEntry entry: Int, rank: Int) -> Range<Int> {
        let parameter = entries[entry].flatRange
        let owned = flatRange(ofRank: rank)
        let lower = min(max(owned.lowerBound, parameter.lowerBound), parameter.upperBound)
        let upper = max(min(owned.upperBound, parameter.upperBound), lower)
        return lower - parameter.lowerBound..<upper - parameter.lowerBound
    }

    /// Every parameter's intersection with `rank`'s partition, in flat (key) order, empty ones included, so every
    /// rank lists every parameter.
    public func pieces(ofRank rank: Int) -> [Piece] {
        let owned = flatRange(ofRank: rank)
        return entries.indices.map { index in
            let local = localRange(ofEntry: index, rank: rank)
            let flatStart = entries[index].offset + local.lowerBound
            let partitionOffset = min(max(flatStart - owned.lowerBound, 0), owned.count)
            return Piece(key: entries[index].key, entry: index, localRange: local, partitionOffset: partitionOffset)
        }
    }

    /// The parameters' pieces that make up `flatRange`, in order: `(entry, local range)` pairs, skipping empty
    /// parameters.
    /// - Complexity: O(log n + k) for `k` pieces returned.
    public func segments(of flatRange: Range<Int>) -> [(entry: Int, localRange: Range<Int>)] {
        guard !flatRange.isEmpty else { return [] }
        precondition(flatRange.lowerBound >= 0 && flatRange.upperBound <= elementCount,
                     "FlatPartition: \(flatRange) outside 0..<\(elementCount)")
        var segments: [(entry: Int, localRange: Range<Int>)] = []
        var index = firstEntry(containing: flatRange.lowerBound)
        while index < entries.count, entries[index].offset < flatRange.upperBound {
            let entry = entries[index]
            let lower = max(flatRange.lowerBound, entry.offset)
            let upper = min(flatRange.upperBound, entry.offset + entry.elementCount)
            if lower < upper { segments.append((index, lower - entry.offset..<upper - entry.offset)) }
            index += 1
        }
        return segments
    }

    // MARK: - Private helpers

    /// The first entry whose flat range ends after `flatIndex` (binary search over the offsets).
    private func firstEntry(containing flatIndex: Int) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].offset + entries[middle].elementCount <= flatIndex {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
