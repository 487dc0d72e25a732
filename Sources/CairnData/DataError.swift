public import CairnCore

/// A dataset, chat template, tokenizer or batch request is invalid.
///
/// Carries where the problem is in the user's data: the dataset's name from the spec, the file, the 1-based line
/// (JSONL line, or the line where a JSON array element starts), the 0-based sample index inside the file and the
/// field path inside the record (`conversations[2].from`). Rendered, it reads
/// `data/train.jsonl:12: dataset 'demo', sample 11: messages[1].role: expected "user", found "assistant"`.
public struct DataError: CairnError {
    /// What kind of problem.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// A data or tokenizer file does not exist or cannot be read.
        public static let missingFile = Code("missingFile")
        /// A file is not valid JSON / JSONL.
        public static let malformedFile = Code("malformedFile")
        /// A record does not fit its converter (missing or mistyped field, wrong role order).
        public static let invalidSample = Code("invalidSample")
        /// A dataset spec entry is inconsistent (both `path` and `file_name`, `size` beyond the file).
        public static let invalidSpec = Code("invalidSpec")
        /// A `tokenizer.json` is malformed or uses a feature Cairn does not implement.
        public static let invalidTokenizer = Code("invalidTokenizer")
        /// An unknown template, converter or tokenizer name.
        public static let unknownKind = Code("unknownKind")
        /// Batch sizes or rank arguments do not fit together.
        public static let invalidBatchConfiguration = Code("invalidBatchConfiguration")
        /// No usable samples remain.
        public static let emptyDataset = Code("emptyDataset")
    }

    /// What kind of problem.
    public var code: Code
    /// The dataset's name in the spec.
    public var dataset: String?
    /// The data file, as the spec resolved it.
    public var file: String?
    /// The 1-based line in ``file``.
    public var line: Int?
    /// The 1-based column in ``line``, for syntax errors.
    public var column: Int?
    /// The 0-based index of the sample inside ``file``.
    public var sampleIndex: Int?
    /// The field path inside the record, such as `conversations[2].from`.
    public var field: String?
    /// What went wrong, and how to fix it where a common cause exists.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error)?
    /// Where in Cairn the error was raised.
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, dataset: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil,
        sampleIndex: Int? = nil,
        field: String? = nil, _ message: String, cause: (any Error)? = nil, location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.dataset = dataset
        self.file = file
        self.line = line
        self.column = column
        self.sampleIndex = sampleIndex
        self.field = field
        self.message = message
        self.cause = cause
        self.location = location
    }

    /// `file:line:column: dataset 'name', sample N: field`, the parts that are known.
    public var contextDescription: String {
        var parts: [String] = []
        if let file {
            var position = file
            if let line { position += ":\(line)" + (column.map { ":\($0)" } ?? "") }
            parts.append(position)
        }
        var origin: [String] = []
        if let dataset { origin.append("dataset '\(dataset)'") }
        if let sampleIndex { origin.append("sample \(sampleIndex)") }
        if !origin.isEmpty { parts.append(origin.joined(separator: ", ")) }
        if let field, !field.isEmpty { parts.append(field) }
        return parts.joined(separator: ": ")
    }
}

extension DataError {
    /// The error with the sample's provenance filled in where it is still unknown.
    func located(at source: SampleSource) -> DataError {
        var error = self
        if error.dataset == nil { error.dataset = source.dataset }
        if error.file == nil { error.file = source.file }
        if error.line == nil { error.line = source.line }
        if error.sampleIndex == nil { error.sampleIndex = source.index }
        return error
    }
}
