internal import CairnJSON

/// How a dataset's records become ``Conversation``s: the `converter` of a dataset spec entry.
///
/// The formats are LlamaFactory's (`data/README.md` there):
/// - ``alpaca``: `{"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant], …]}`. The user
///   turn is the instruction, followed by a blank line and the input when the input is non-empty.
/// - ``sharegpt``: `{"conversations": [{"from": "human" | "gpt" | "system", "value"}], "system"?}`; `user` and
///   `assistant` are accepted as `from` too.
/// - ``messages``: OpenAI style, `{"messages": [{"role": "system" | "user" | "assistant", "content"}]}`; a content
///   may also be a list of `{"type": "text", "text"}` parts, which are concatenated.
///
/// Fields the converter does not use (ids, metadata) are ignored. Tool turns (`function_call`, `observation`,
/// `tool`) are rejected with an error rather than dropped: Cairn trains chat turns only.
public enum DatasetConverter: String, Hashable, Sendable, CaseIterable, Decodable {
    case alpaca
    case sharegpt
    case messages

    /// Creates a converter from its name in a spec.
    /// - Throws: ``DataError`` `.unknownKind` listing the known names.
    public init(named name: String) throws(DataError) {
        guard let converter = DatasetConverter(rawValue: name) else {
            throw DataError(.unknownKind, field: "converter", Self.unknownNameMessage(name))
        }
        self = converter
    }

    /// Decodes a converter name; an unknown name is a `DecodingError` at the value, which a positional decoder
    /// (`YAMLDecoder`) reports with file, line and column.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let converter = DatasetConverter(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.unknownNameMessage(name))
        }
        self = converter
    }

    /// Converts one parsed record into a validated conversation.
    /// - Throws: ``DataError`` `.invalidSample` naming the field; the caller adds file, line and dataset.
    func conversation(from record: JSONValue) throws(DataError) -> Conversation {
        guard let object = record.objectValue else {
            throw DataError(.invalidSample, "expected a JSON object, found \(record.kindDescription)")
        }
        let fields = RecordFields(object)
        switch self {
        case .alpaca: return try AlpacaConverter.convert(fields)
        case .sharegpt: return try ShareGPTConverter.convert(fields)
        case .messages: return try MessagesConverter.convert(fields)
        }
    }

    static func unknownNameMessage(_ name: String) -> String {
        "unknown converter '\(name)'; known converters: " + allCases.map(\.rawValue).joined(separator: ", ")
    }
}
