internal import CairnJSON

/// Converts sharegpt records: `conversations: [{from, value}]` and an optional top-level `system`.
enum ShareGPTConverter {
    /// The `from` tags Cairn accepts and the roles they map to.
    static let roles: [String: ChatMessage.Role] = [
        "system": .system, "human": .user, "user": .user, "gpt": .assistant, "assistant": .assistant,
    ]

    static func convert(_ fields: RecordFields) throws(DataError) -> Conversation {
        let turns = try fields.requiredArray("conversations")
        var messages: [ChatMessage] = []
        for (index, turn) in turns.enumerated() {
            let turnFields = try RecordFields.element(turn, of: "conversations", at: index)
            let tag = try turnFields.requiredString("from")
            guard let role = roles[tag] else {
                throw DataError(
                    .invalidSample, field: turnFields.fieldPath("from"),
                    "unsupported role tag \"\(tag)\"; expected \"system\", \"human\" (or \"user\") or \"gpt\" "
                        + "(or \"assistant\")")
            }
            messages.append(ChatMessage(role: role, content: try turnFields.requiredString("value")))
        }
        let conversation = Conversation(messages)
        try conversation.validate(fieldName: "conversations")
        guard let system = try fields.optionalString("system"), !system.isEmpty else { return conversation }
        guard messages.first?.role != .system else {
            throw DataError(
                .invalidSample, field: "system", "the record has both a top-level system and a system turn")
        }
        return Conversation([ChatMessage(role: .system, content: system)] + messages)
    }
}
