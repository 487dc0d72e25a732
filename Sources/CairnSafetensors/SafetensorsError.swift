public import CairnCore

/// A safetensors file, a sharded index or a tensor request is not what the format allows.
///
/// Every failure of the reader, the writer and the index parser is one of these values: a hostile or damaged
/// file is rejected with a code and a message that says where (byte offset, tensor name), never with a crash or
/// a read outside the file.
public struct SafetensorsError: CairnError {
    /// What is wrong.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The file is shorter than its 8-byte length prefix or than the header it announces.
        public static let truncated = Code("truncated")
        /// The header claims more than ``SafetensorsHeader/maximumByteCount`` bytes.
        public static let headerTooLarge = Code("headerTooLarge")
        /// The header is not UTF-8 JSON of the expected shape (object of entries, `__metadata__` of strings).
        public static let malformedHeader = Code("malformedHeader")
        /// An entry names a dtype Cairn does not know (see `ElementType`).
        public static let unknownDType = Code("unknownDType")
        /// A shape has a negative, fractional or non-numeric dimension, or its element count overflows.
        public static let badShape = Code("badShape")
        /// `data_offsets` is not two non-negative integers `[begin, end]` with `begin <= end <= data size`.
        public static let badOffsets = Code("badOffsets")
        /// A tensor's byte range is not exactly its element count times its element width.
        public static let sizeMismatch = Code("sizeMismatch")
        /// Two tensors share bytes.
        public static let overlap = Code("overlap")
        /// Some bytes of the data buffer belong to no tensor (a hole or trailing bytes).
        public static let gap = Code("gap")
        /// Two tensors (or two files in a folder) have the same name.
        public static let duplicateName = Code("duplicateName")
        /// The requested tensor is not in the file or folder.
        public static let tensorNotFound = Code("tensorNotFound")
        /// The tensor's dtype cannot be converted to the requested type (integers to `Float`).
        public static let unsupportedConversion = Code("unsupportedConversion")
        /// A requested element range lies outside the tensor, or a destination has the wrong size.
        public static let outOfRange = Code("outOfRange")
        /// A tensor handed to the writer is inconsistent (reserved or empty name, bytes that do not match).
        public static let invalidTensor = Code("invalidTensor")
        /// `model.safetensors.index.json` is not what Hugging Face writes.
        public static let malformedIndex = Code("malformedIndex")
        /// A file name in an index leaves its folder (`/`, `..`).
        public static let unsafePath = Code("unsafePath")
        /// The file or folder does not exist.
        public static let fileNotFound = Code("fileNotFound")
        /// The operating system refused an open, stat, map, read, write or sync.
        public static let io = Code("io")
    }

    public var code: Code
    /// The file concerned.
    public var path: String?
    /// The tensor concerned.
    public var tensor: String?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, path: String? = nil, tensor: String? = nil, _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.path = path
        self.tensor = tensor
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        var parts: [String] = []
        if let path { parts.append(path) }
        if let tensor { parts.append("tensor \(tensor)") }
        return parts.joined(separator: ": ")
    }
}

extension SafetensorsError {
    /// The same error attributed to `path` (errors raised while parsing bytes do not know their file).
    func at(path: String?) -> SafetensorsError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }
}
