internal import CairnJSON

/// Converts OpenAI-style records: `messages: [{role, content}]`.
enum MessagesConverter {
    static func convert(_ fields: RecordFields) throws(DataError) -> Conversation {
        let turns = try fields.requiredArray("messages")
        var messages: [ChatMessage] = []
        for (index, turn) in turns.enumerated() {
            let turnFields = try RecordFields.element(turn, of: "messages", at: index)
            let name = try turnFields.requiredString("role")
            guard let role = ChatMessage.Role(rawValue: name) else {
                throw DataError(
                    .invalidSample, field: turnFields.fieldPath("role"),
                    "unsupported role \"\(name)\"; expected \"system\", \"user\" or \"assistant\"")
            }
            messages.append(ChatMessage(role: role, content: try content(of: turnFields)))
        }
        let conversation = Conversation(messages)
        try conversation.validate(fieldName: "messages")
        return conversation
    }

    /// The content string, or the concatenated `text` of a list of `{"type": "text"}` parts.
    private static func content(of fields: RecordFields) throws(DataError) -> String {
        guard let parts = fields.value("content")?.arrayValue else { return try fields.requiredString("content") }
        var text = ""
        for (index, part) in parts.enumerated() {
            let partFields = try RecordFields.element(part, of: fields.fieldPath("content"), at: index)
            let type = try partFields.requiredString("type")
            guard type == "text" else {
                throw DataError(
                    .invalidSample, field: partFields.fieldPath("type"),
                    "unsupported content part \"\(type)\"; only \"text\" parts are supported")
            }
            text += try partFields.requiredString("text")
        }
        return text
    }
}
