/// What a tensor value is globally and which piece of it this rank holds.
///
/// Every piece is a contiguous run of the tensor's row-major elements: a dim-0 row range (FSDP2) is the run
/// `rows.lowerBound * rowSize ..< rows.upperBound * rowSize`, and a flat range (ZeRO) is itself. So resharding
/// between any two layouts is an intersection of element ranges (``globalElementRange``).
public struct TensorLayout: Hashable, Sendable, CustomStringConvertible {
    /// Which part of the global tensor a rank holds.
    public enum Placement: Hashable, Sendable {
        /// The whole tensor, identical on every rank.
        case replicated
        /// Rows `range` of dimension 0; the last shard may be shorter or empty.
        case rows(Range<Int>)
        /// Elements `range` of the row-major flattening (DeepSpeed-style flat partitions).
        case elements(Range<Int>)
    }

    /// The element type of the stored bytes.
    public var elementType: ElementType
    /// The shape of the whole tensor across all ranks.
    public var globalShape: [Int]
    /// The piece this rank holds.
    public var placement: Placement

    /// Creates a layout.
    public init(elementType: ElementType = .float32, globalShape: [Int], placement: Placement = .replicated) {
        self.elementType = elementType
        self.globalShape = globalShape
        self.placement = placement
    }

    /// A replicated float32 layout of `shape`.
    public static func replicated(_ shape: [Int], elementType: ElementType = .float32) -> TensorLayout {
        TensorLayout(elementType: elementType, globalShape: shape, placement: .replicated)
    }

    /// The number of elements in the whole tensor.
    public var globalElementCount: Int { globalShape.reduce(1, *) }

    /// Elements per dim-0 row (1 for a scalar).
    public var rowElementCount: Int { globalShape.dropFirst().reduce(1, *) }

    /// The run of row-major global elements this rank holds.
    public var globalElementRange: Range<Int> {
        switch placement {
        case .replicated: 0..<globalElementCount
        case .rows(let rows): rows.lowerBound * rowElementCount..<rows.upperBound * rowElementCount
        case .elements(let range): range
        }
    }

    /// The number of elements this rank holds.
    public var localElementCount: Int { globalElementRange.count }

    /// The number of bytes this rank holds.
    public var localByteCount: Int { localElementCount * elementType.byteWidth }

    /// The shape of this rank's piece: the global shape, fewer rows, or one flat dimension.
    public var localShape: [Int] {
        switch placement {
        case .replicated: globalShape
        case .rows(let rows): [rows.count] + globalShape.dropFirst()
        case .elements(let range): [range.count]
        }
    }

    /// Whether the piece lies within the global tensor.
    public var isWellFormed: Bool {
        guard globalShape.allSatisfy({ $0 >= 0 }) else { return false }
        switch placement {
        case .replicated: return true
        case .rows(let rows):
            return !globalShape.isEmpty && rows.lowerBound >= 0 && rows.upperBound <= globalShape[0]
        case .elements(let range): return range.lowerBound >= 0 && range.upperBound <= globalElementCount
        }
    }

    public var description: String {
        let shape = "[" + globalShape.map(String.init).joined(separator: ", ") + "]"
        switch placement {
        case .replicated: return "\(elementType.rawValue)\(shape)"
        case .rows(let rows): return "\(elementType.rawValue)\(shape) rows \(rows.lowerBound)..<\(rows.upperBound)"
        case .elements(let r): return "\(elementType.rawValue)\(shape) elements \(r.lowerBound)..<\(r.upperBound)"
        }
    }
}
