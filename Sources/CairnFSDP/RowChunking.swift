public import CairnCore

/// How `fsdp2` splits one tensor across ranks: dim 0 cut into `worldSize` chunks of ``rowsPerRank`` rows, as
/// PyTorch FSDP2 does with `torch.chunk(tensor, worldSize, dim=0)`.
///
/// Every rank but the last few holds exactly ``rowsPerRank`` = ⌈rows / worldSize⌉ rows; the shards that follow
/// the last full one are shorter or empty. A `[3, 8]` tensor on 4 ranks gives rows 0..<1, 1..<2, 2..<3 and 3..<3;
/// a `[10]` tensor on 4 ranks gives 3, 3, 3 and 1 rows.
///
/// Collectives need equal counts on every rank, so each rank's shard travels padded to ``paddedShardElementCount``
/// elements. Because every non-empty shard but the last is full, the first ``globalElementCount`` elements of the
/// rank-ordered concatenation of padded shards are exactly the tensor in row-major order: an all-gather needs no
/// reordering, only the padding cut off (and nothing at all when ``isEven``).
public struct RowChunking: Hashable, Sendable {
    /// The tensor's global shape (at least one dimension).
    public let shape: [Int]
    /// The number of ranks.
    public let worldSize: Int

    /// Creates the chunking of a tensor of `shape` over `worldSize` ranks.
    /// - Precondition: `shape` has at least one dimension, none negative, and `worldSize ≥ 1`.
    public init(shape: [Int], worldSize: Int) {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 >= 0 },
                     "RowChunking: fsdp2 shards dim 0, so the shape must have one (found \(shape))")
        precondition(worldSize >= 1, "RowChunking: world size \(worldSize) is below 1")
        self.shape = shape
        self.worldSize = worldSize
    }

    // MARK: - Public API

    /// The rows of dim 0.
    public var rowCount: Int { shape[0] }

    /// The elements of one dim-0 row (the product of the other dimensions).
    public var rowElementCount: Int { shape.dropFirst().reduce(1, *) }

    /// The elements of the whole tensor.
    public var globalElementCount: Int { rowCount * rowElementCount }

    /// The rows of every full shard: ⌈rows / worldSize⌉.
    public var rowsPerRank: Int { (rowCount + worldSize - 1) / worldSize }

    /// The elements every rank sends and receives per rank in a collective: ``rowsPerRank`` rows.
    public var paddedShardElementCount: Int { rowsPerRank * rowElementCount }

    /// Whether the shards are all full, so a collective's rank-ordered buffer is exactly the tensor.
    public var isEven: Bool { rowsPerRank * worldSize == rowCount }

    /// The rows of dim 0 that `rank` holds (empty past the last non-empty shard).
    public func rows(ofRank rank: Int) -> Range<Int> {
        precondition((0..<worldSize).contains(rank), "RowChunking: rank \(rank) outside 0..<\(worldSize)")
        let lower = min(rank * rowsPerRank, rowCount)
        return lower..<min(lower + rowsPerRank, rowCount)
    }

    /// The elements `rank` holds: its rows times ``rowElementCount``.
    public func elementCount(ofRank rank: Int) -> Int { rows(ofRank: rank).count * rowElementCount }

    /// The layout of `rank`'s shard: float32, the global shape, `.rows(rows(ofRank:))`.
    public func layout(ofRank rank: Int) -> TensorLayout {
        TensorLayout(globalShape: shape, placement: .rows(rows(ofRank: rank)))
    }
}
