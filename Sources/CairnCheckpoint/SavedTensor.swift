public import CairnCore
import CairnJSON

/// One tensor of a checkpoint as the manifest records it: element type, global shape and the saved pieces that
/// together hold every element exactly once.
public struct SavedTensor: Sendable, Hashable, Codable {
    /// The element type.
    public var elementType: ElementType
    /// The shape of the whole tensor.
    public var shape: [Int]
    /// The saved pieces, ordered by their first element.
    public var pieces: [Piece]

    /// Creates a record; ``CheckpointManifest`` validates records it reads.
    public init(elementType: ElementType, shape: [Int], pieces: [Piece]) {
        self.elementType = elementType
        self.shape = shape
        self.pieces = pieces.sorted { ($0.elements.lowerBound, $0.elements.upperBound) < ($1.elements.lowerBound, $1.elements.upperBound) }
    }

    /// One saved piece: a contiguous run of the tensor's row-major elements, stored as one tensor of a file.
    public struct Piece: Sendable, Hashable, Codable {
        /// How the manifest describes the piece.
        public enum Form: String, Sendable, Hashable, Codable {
            /// A block of whole dim-0 rows (or the whole tensor), written as per-dimension `offsets` and `shape`
            /// like torch DCP's chunks.
            case rows
            /// A run of the flattened elements (a DeepSpeed-style flat partition), written as `elements`.
            case flat
        }

        /// The file inside the checkpoint.
        public var file: String
        /// The tensor's name inside that file.
        public var name: String
        /// The run of global row-major elements the piece holds.
        public var elements: Range<Int>
        /// How the manifest describes the piece.
        public var form: Form
        /// The XXH3-128 digest of the piece's bytes, so a reader can check exactly what it loads.
        public var digest: String

        /// Creates a piece.
        public init(file: String, name: String, elements: Range<Int>, form: Form, digest: String) {
            self.file = file
            self.name = name
            self.elements = elements
            self.form = form
            self.digest = digest
        }

        /// The shape the piece has inside its file: the global shape with fewer rows, or one flat dimension.
        public func localShape(globalShape: [Int]) -> [Int] {
            switch form {
            case .flat: return [elements.count]
            case .rows:
                guard let rows = globalShape.first else { return [] }
                let rowSize = globalShape.dropFirst().reduce(1, *)
                return [rowSize == 0 ? rows : elements.count / rowSize] + globalShape.dropFirst()
            }
        }
    }

    // MARK: - Derived values

    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The layout of the whole tensor held by one rank.
    public var layout: TensorLayout { TensorLayout(elementType: elementType, globalShape: shape, placement: .replicated) }

    /// The pieces that share elements with `range`, with the shared run.
    public func pieces(overlapping range: Range<Int>) -> [(piece: Piece, overlap: Range<Int>)] {
        pieces.compactMap { piece in
            let overlap = max(piece.elements.lowerBound, range.lowerBound)..<max(
                max(piece.elements.lowerBound, range.lowerBound), min(piece.elements.upperBound, range.upperBound))
            return overlap.isEmpty ? nil : (piece, overlap)
        }
    }

    // MARK: - Validation

    /// Checks that the shape's byte size fits in `Int` and that the pieces tile `0..<elementCount` exactly.
    /// - Throws: ``CheckpointError`` `.malformed` naming `key`.
    public func validate(key: StateKey, file: String = CheckpointPath.manifest) throws(CheckpointError) {
        func failure(_ message: String) -> CheckpointError { CheckpointError(.malformed, key: key, file: file, message) }
        guard Self.checkedByteCount(shape: shape, width: elementType.byteWidth) != nil else {
            throw failure("shape \(shape) is negative or too large")
        }
        let count = elementCount
        var covered = 0
        for piece in pieces where !piece.elements.isEmpty {
            guard piece.elements.lowerBound >= 0, piece.elements.upperBound <= count else {
                throw failure("a piece holds elements \(piece.elements) outside 0..<\(count)")
            }
            if piece.elements.lowerBound < covered {
                throw failure("pieces overlap at element \(piece.elements.lowerBound)")
            }
            if piece.elements.lowerBound > covered {
                throw failure("no piece holds elements \(covered)..<\(piece.elements.lowerBound)")
            }
            covered = piece.elements.upperBound
        }
        guard covered == count else { throw failure("no piece holds elements \(covered)..<\(count)") }
    }

    /// `shape`'s element count times `width`, or `nil` when a dimension is negative or the product overflows.
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

// MARK: - JSON

extension SavedTensor {
    /// The manifest entry: `{"dtype", "shape", "pieces": [{"file", "name", "offsets", "shape", "xxh3_128"}]}`.
    func json() -> JSONValue {
        var object = JSONObject()
        object["dtype"] = .string(elementType.rawValue)
        object["shape"] = .array(shape.map { .integer($0) })
        object["pieces"] = .array(pieces.map { json(of: $0) })
        return .object(object)
    }

    private func json(of piece: Piece) -> JSONValue {
        var object = JSONObject()
        object["file"] = .string(piece.file)
        object["name"] = .string(piece.name)
        switch piece.form {
        case .rows:
            let rowSize = shape.dropFirst().reduce(1, *)
            let firstRow = rowSize == 0 ? 0 : piece.elements.lowerBound / rowSize
            object["offsets"] = .array(shape.indices.map { .integer($0 == 0 ? firstRow : 0) })
        case .flat:
            object["elements"] = [.integer(piece.elements.lowerBound), .integer(piece.elements.upperBound)]
        }
        object["shape"] = .array(piece.localShape(globalShape: shape).map { .integer($0) })
        object["xxh3_128"] = .string(piece.digest)
        return .object(object)
    }

    /// Decodes and validates a manifest entry.
    init(json: JSONValue, key: StateKey, path: String, file: String) throws(CheckpointError) {
        try self.init(partialJSON: json, key: key, path: path, file: file)
        try validate(key: key, file: file)
    }

    /// Decodes an entry that may hold only some pieces (one rank's), checking each piece but not the tiling.
    init(partialJSON json: JSONValue, key: StateKey, path: String, file: String) throws(CheckpointError) {
        var fields = try JSONFields(json, path: path, file: file)
        let dtype = try fields.string("dtype")
        guard let elementType = ElementType(rawValue: dtype) else {
            throw fields.failure("dtype", "unknown dtype \"\(dtype)\"")
        }
        let shape = try fields.integers("shape", in: 0...Int.max)
        guard Self.checkedByteCount(shape: shape, width: elementType.byteWidth) != nil else {
            throw fields.failure("shape", "\(shape) has more bytes than memory can address")
        }
        var pieces: [Piece] = []
        for (index, element) in try fields.array("pieces").enumerated() {
            pieces.append(try Self.piece(element, shape: shape, path: fields.memberPath("pieces[\(index)]"), file: file))
        }
        try fields.finish()
        self.init(elementType: elementType, shape: shape, pieces: pieces)
    }

    private static func piece(_ json: JSONValue, shape: [Int], path: String, file: String) throws(CheckpointError) -> Piece {
        var fields = try JSONFields(json, path: path, file: file)
        let pieceFile = try fields.string("file")
        guard CheckpointPath.isSafe(pieceFile) else {
            throw CheckpointError(.unsafePath, file: file, "\(fields.memberPath("file")): \"\(pieceFile)\" leaves the checkpoint")
        }
        let name = try fields.string("name")
        guard !name.isEmpty else { throw fields.failure("name", "is empty") }
        let digest = try fields.string("xxh3_128")
        guard CheckpointDigest.isWellFormed(digest) else { throw fields.failure("xxh3_128", "is not 32 lowercase hex digits") }
        let localShape = try fields.integers("shape")
        let count = shape.reduce(1, *)
        let elements: Range<Int>
        let form: Piece.Form
        if fields.object.contains(key: "elements") {
            let bounds = try fields.integers("elements")
            guard bounds.count == 2, bounds[0] <= bounds[1], bounds[1] <= count else {
                throw fields.failure("elements", "must be [begin, end] with begin <= end <= \(count)")
            }
            guard localShape == [bounds[1] - bounds[0]] else {
                throw fields.failure("shape", "a flat piece of \(bounds[1] - bounds[0]) elements has shape [\(bounds[1] - bounds[0])]")
            }
            elements = bounds[0]..<bounds[1]
            form = .flat
        } else {
            let offsets = try fields.integers("offsets")
            guard offsets.count == shape.count, localShape.count == shape.count else {
                throw fields.failure("offsets", "offsets and shape need one entry per dimension of \(shape)")
            }
            guard offsets.dropFirst().allSatisfy({ $0 == 0 }), localShape.dropFirst().elementsEqual(shape.dropFirst()) else {
                throw fields.failure("offsets", "a piece must be whole rows of dimension 0")
            }
            let rowSize = shape.dropFirst().reduce(1, *)
            if let rows = shape.first {
                guard offsets[0] <= rows, localShape[0] <= rows - offsets[0] else {
                    throw fields.failure("offsets", "rows \(offsets[0])..<\(offsets[0] + localShape[0]) are outside 0..<\(rows)")
                }
                elements = offsets[0] * rowSize..<(offsets[0] + localShape[0]) * rowSize
            } else {
                elements = 0..<1
            }
            form = .rows
        }
        try fields.finish()
        return Piece(file: pieceFile, name: name, elements: elements, form: form, digest: digest)
    }
}
