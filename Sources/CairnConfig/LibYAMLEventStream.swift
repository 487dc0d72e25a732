internal import CYAML
import CairnCore

/// One libyaml event, copied out of C memory so the C event can be freed at once.
struct YAMLEvent {
    /// What the event is.
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case scalar(text: String, isPlain: Bool, tag: String?)
        case sequenceStart(tag: String?, isFlow: Bool)
        case sequenceEnd
        case mappingStart(tag: String?, isFlow: Bool)
        case mappingEnd
        case alias(String)
    }

    var kind: Kind
    /// The anchor (`&name`) on a scalar or collection start.
    var anchor: String?
    /// Where the event starts: 0-based line and column from libyaml.
    var line: Int
    var column: Int
}

/// A libyaml event parser over a byte buffer.
///
/// libyaml keeps a pointer to the parser inside the parser and does not copy its input, so the parser lives on
/// the heap for the object's lifetime and the bytes are copied into a buffer this object owns and never moves.
final class LibYAMLEventStream {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var isInitialized = false

    /// Creates a stream over a copy of `bytes`.
    /// - Throws: ``ConfigurationError`` `.malformedInput` when libyaml cannot allocate its parser.
    init(bytes: [UInt8], file: String) throws(ConfigurationError) {
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        guard yaml_parser_initialize(parser) != 0 else {
            throw ConfigurationError(
                .malformedInput, position: InputPosition(file: file, line: 1, column: 1),
                "libyaml could not allocate a parser (out of memory)")
        }
        isInitialized = true
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        if isInitialized { yaml_parser_delete(parser) }
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, or the parser's problem when the input is malformed.
    func next() -> Result<YAMLEvent, ParserProblem> {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) != 0 else { return .failure(problem()) }
        defer { yaml_event_delete(&event) }
        return .success(Self.copy(event))
    }

    // MARK: - Problems

    /// What libyaml reported when it stopped.
    struct ParserProblem: Error {
        var message: String
        /// 0-based line and column, when libyaml gave a mark.
        var mark: (line: Int, column: Int)?
        /// The byte offset, for reader (encoding) errors, which carry no mark.
        var byteOffset: Int?
    }

    private func problem() -> ParserProblem {
        let state = parser.pointee
        let problemText = state.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let contextText = state.context.map { String(cString: $0) }
        var message = contextText.map { "\($0): \(problemText)" } ?? problemText
        switch state.error {
        case YAML_MEMORY_ERROR:
            return ParserProblem(message: "libyaml ran out of memory", mark: nil, byteOffset: nil)
        case YAML_READER_ERROR:
            if state.problem_value != -1 {
                message += " (byte 0x" + String(UInt32(bitPattern: state.problem_value) & 0xFF, radix: 16) + ")"
            }
            return ParserProblem(message: message, mark: nil, byteOffset: state.problem_offset)
        default:
            let mark = state.problem_mark
            return ParserProblem(message: message, mark: (Int(mark.line), Int(mark.column)), byteOffset: nil)
        }
    }

    // MARK: - Copying events

    private static func copy(_ event: yaml_event_t) -> YAMLEvent {
        let line = Int(event.start_mark.line)
        let column = Int(event.start_mark.column)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return YAMLEvent(kind: .streamStart, line: line, column: column)
        case YAML_STREAM_END_EVENT:
            return YAMLEvent(kind: .streamEnd, line: line, column: column)
        case YAML_DOCUMENT_START_EVENT:
            return YAMLEvent(kind: .documentStart, line: line, column: column)
        case YAML_DOCUMENT_END_EVENT:
            return YAMLEvent(kind: .documentEnd, line: line, column: column)
        case YAML_ALIAS_EVENT:
            return YAMLEvent(kind: .alias(string(event.data.alias.anchor) ?? ""), line: line, column: column)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text =
                scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
                } ?? ""
            let kind = YAMLEvent.Kind.scalar(
                text: text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: string(scalar.tag))
            return YAMLEvent(kind: kind, anchor: string(scalar.anchor), line: line, column: column)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            let kind = YAMLEvent.Kind.sequenceStart(
                tag: string(start.tag), isFlow: start.style == YAML_FLOW_SEQUENCE_STYLE)
            return YAMLEvent(kind: kind, anchor: string(start.anchor), line: line, column: column)
        case YAML_SEQUENCE_END_EVENT:
            return YAMLEvent(kind: .sequenceEnd, line: line, column: column)
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            let kind = YAMLEvent.Kind.mappingStart(
                tag: string(start.tag), isFlow: start.style == YAML_FLOW_MAPPING_STYLE)
            return YAMLEvent(kind: kind, anchor: string(start.anchor), line: line, column: column)
        case YAML_MAPPING_END_EVENT:
            return YAMLEvent(kind: .mappingEnd, line: line, column: column)
        default:
            // YAML_NO_EVENT: libyaml emits it only after STREAM-END; treat it as the end.
            return YAMLEvent(kind: .streamEnd, line: line, column: column)
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        var length = 0
        while pointer[length] != 0 { length += 1 }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
