/// The validated header of a safetensors file: its tensor entries in data order and its `__metadata__`.
///
/// A header only exists in validated form: every entry has a known dtype and a shape whose byte size equals its
/// `data_offsets`, no two entries share a byte, and together they cover the data buffer exactly — the conditions
/// Hugging Face's reader enforces, so a file Cairn accepts also loads in `safetensors`. Cairn is deliberately
/// stricter in a few places where `safetensors` 0.8 is lenient: a duplicated tensor name (it keeps one), an
/// unknown field in an entry, an empty tensor name, and trailing bytes other than JSON whitespace are errors here.
public struct SafetensorsHeader: Hashable, Sendable {
    /// The largest header accepted, as in Hugging Face's reader (100 MB), so a hostile length cannot make the
    /// reader allocate or scan gigabytes.
    public static let maximumByteCount = 100_000_000

    /// The key of the free-form string map inside the header.
    public static let metadataKey = "__metadata__"

    /// Every tensor, ordered by position in the data buffer (then by name, for empty tensors).
    public let tensors: [SafetensorsTensorInfo]
    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// The size of the data buffer the entries cover.
    public let dataByteCount: Int
    private let indexByName: [String: Int]

    /// Creates a header from entries that are already known to be consistent.
    init(orderedTensors tensors: [SafetensorsTensorInfo], metadata: [String: String], dataByteCount: Int) {
        self.tensors = tensors
        self.metadata = metadata
        self.dataByteCount = dataByteCount
        var index: [String: Int] = [:]
        for (position, tensor) in tensors.enumerated() { index[tensor.name] = position }
        self.indexByName = index
    }

    // MARK: - Lookup

    /// The tensor names in UTF-8 byte order.
    public var tensorNames: [String] { tensors.map(\.name).sorted(by: utf8Precedes) }

    /// The entry named `name`, or `nil`.
    public subscript(name: String) -> SafetensorsTensorInfo? {
        indexByName[name].map { tensors[$0] }
    }

    // MARK: - Equality

    public static func == (lhs: SafetensorsHeader, rhs: SafetensorsHeader) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata && lhs.dataByteCount == rhs.dataByteCount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tensors)
        hasher.combine(dataByteCount)
    }
}

/// Orders strings by their UTF-8 bytes: unambiguous and the same on every platform and locale.
func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
