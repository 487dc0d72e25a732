public import CairnCore

/// Parses YAML text into a ``YAMLNode`` tree with libyaml's event API.
///
/// Anchors and aliases are resolved (an alias shares its anchor's node); a document holds exactly one YAML
/// document; keys are unique scalars; an empty document is an empty mapping. Malformed input throws
/// ``ConfigurationError`` `.malformedInput` with libyaml's problem text and the 1-based position.
public enum YAMLParser {
    /// The deepest nesting accepted; configurations nest a few levels, and the bound keeps decoding, printing
    /// and freeing a tree well within any thread's stack.
    public static let maximumDepth = 256

    /// The most nodes a document may expand to once aliases are followed (guards against alias bombs).
    public static let maximumExpandedNodes = 4_000_000

    /// How a parse treats its input.
    struct Options {
        /// Added to the column of positions on the first line (an override's offset in the command line).
        var columnOffset = 0
        /// Whether block collections are refused (override values must be flow values).
        var requiresFlowCollections = false
        /// Whether an empty input is a null scalar rather than an empty mapping.
        var emptyDocumentIsNull = false
    }

    // MARK: - Public API

    /// Parses `text`, naming positions after `file`.
    /// - Throws: ``ConfigurationError`` `.malformedInput` for malformed YAML, several documents, a duplicate key,
    ///   an undefined alias, an unsupported tag, or nesting deeper than ``maximumDepth``.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> YAMLNode {
        try parse(bytes: Array(text.utf8), file: file, options: Options())
    }

    /// Parses `bytes` (UTF-8, or UTF-16 with a byte order mark), naming positions after `file`; invalid UTF-8
    /// is reported with its position.
    /// - Throws: ``ConfigurationError`` `.malformedInput`, as ``parse(_:file:)``.
    public static func parse(bytes: [UInt8], file: String) throws(ConfigurationError) -> YAMLNode {
        try parse(bytes: bytes, file: file, options: Options())
    }

    /// Reads and parses the file at `path`; positions name the path as given.
    /// - Throws: ``ConfigurationError`` `.missingFile` when the file cannot be read, else as ``parse(_:file:)``.
    public static func parse(contentsOfFile path: String) throws(ConfigurationError) -> YAMLNode {
        try parse(bytes: FileSystem.readFile(path), file: path, options: Options())
    }

    // MARK: - Parsing

    static func parse(bytes: [UInt8], file: String, options: Options) throws(ConfigurationError) -> YAMLNode {
        let stream = try LibYAMLEventStream(bytes: bytes, file: file)
        var builder = YAMLTreeBuilder(file: file, options: options)
        while true {
            let event: YAMLEvent
            switch stream.next() {
            case .success(let next): event = next
            case .failure(let problem): throw error(for: problem, in: bytes, builder: builder)
            }
            if case .streamEnd = event.kind { break }
            try builder.consume(event)
        }
        let start = builder.position(line: 0, column: 0)
        guard let root = builder.root else {
            return options.emptyDocumentIsNull ? YAMLNode(scalar: "", position: start) : .emptyMapping(at: start)
        }
        if !options.emptyDocumentIsNull && root.isNull { return .emptyMapping(at: root.position) }
        return root
    }

    private static func error(
        for problem: LibYAMLEventStream.ParserProblem, in bytes: [UInt8], builder: YAMLTreeBuilder
    ) -> ConfigurationError {
        let position: InputPosition
        if let mark = problem.mark {
            let clamped = clampToInput(line: mark.line, column: mark.column, in: bytes)
            position = builder.position(line: clamped.line, column: clamped.column)
        } else if let offset = problem.byteOffset {
            let (line, column) = lineAndColumn(ofByte: offset, in: bytes)
            position = builder.position(line: line, column: column)
        } else {
            position = builder.position(line: 0, column: 0)
        }
        return ConfigurationError(.malformedInput, position: position, "malformed YAML: \(problem.message)")
    }

    /// A mark past the end of input that lacks a final line break (libyaml adds one) moved back to the end of
    /// the last line, so `a: "open` without a newline is reported on its own line.
    static func clampToInput(line: Int, column: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let lineBreaks = bytes.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        guard line > lineBreaks else { return (line, column) }
        return lineAndColumn(ofByte: bytes.count, in: bytes)
    }

    /// The 0-based line and column (in characters) of the byte at `offset`.
    static func lineAndColumn(ofByte offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 0
        var column = 0
        for byte in bytes.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
