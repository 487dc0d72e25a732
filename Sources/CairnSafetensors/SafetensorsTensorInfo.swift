public import CairnCore

/// One tensor entry of a safetensors header: name, dtype, shape and where its bytes lie in the data buffer.
public struct SafetensorsTensorInfo: Hashable, Sendable, CustomStringConvertible {
    /// The tensor's name (a state key or a Hugging Face parameter name).
    public var name: String
    /// The element type (`F32`, `BF16`, …).
    public var elementType: ElementType
    /// The shape; `[]` is a scalar (one element), and any zero dimension makes the tensor empty.
    public var shape: [Int]
    /// The byte range inside the data buffer (relative to its start, as `data_offsets` in the file).
    public var dataOffsets: Range<Int>

    /// Creates an entry; ``SafetensorsHeader`` validates entries read from files.
    public init(name: String, elementType: ElementType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// The number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The number of bytes.
    public var byteCount: Int { dataOffsets.count }

    /// The layout of the whole tensor held by one rank (`replicated`), as a ``StateTensor`` would carry it.
    public var layout: TensorLayout { .replicated(shape, elementType: elementType) }

    public var description: String {
        "\(name): \(elementType.rawValue)[\(shape.map(String.init).joined(separator: ", "))] "
            + "bytes \(dataOffsets.lowerBound)..<\(dataOffsets.upperBound)"
    }
}

extension SafetensorsTensorInfo {
    /// The product of `shape` times `width`, or `nil` when a dimension is negative or the product of the non-zero
    /// dimensions times `width` overflows `Int`.
    ///
    /// Zeros are skipped while checking for overflow, so `[0, 2⁶², 2⁶²]` is rejected although it holds no
    /// element: code downstream computes partial products (row sizes) of a shape, and none of them may trap.
    static func checkedByteCount(shape: [Int], width: Int) -> Int? {
        var product = width
        for dimension in shape where dimension != 0 {
            guard dimension > 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return shape.contains(0) ? 0 : product
    }
}
