internal import CairnJSON

/// Converts alpaca records: `instruction`, optional `input`, `output`, optional `system` and `history`.
enum AlpacaConverter {
    /// The user turn is `instruction`, then a blank line and `input` when `input` is non-empty.
    ///
    /// (LlamaFactory v0 joins the two with one newline and v1 with nothing; a blank line keeps the two parts
    /// apart for the model, and Cairn's users write their own data in this format.)
    static func convert(_ fields: RecordFields) throws(DataError) -> Conversation {
        var messages: [ChatMessage] = []
        if let system = try fields.optionalString("system"), !system.isEmpty {
            messages.append(ChatMessage(role: .system, content: system))
        }
        if let history = fields.value("history") {
            guard let turns = history.arrayValue else {
                throw DataError(.invalidSample, field: "history", "expected an array, found \(history.kindDescription)")
            }
            for (index, turn) in turns.enumerated() {
                guard let pair = turn.arrayValue, pair.count == 2,
                    let user = pair[0].stringValue, let assistant = pair[1].stringValue
                else {
                    let found = turn.arrayValue.map { "an array of \($0.count) elements" } ?? turn.kindDescription
                    throw DataError(
                        .invalidSample, field: "history[\(index)]",
                        "expected a [user, assistant] pair of strings, found \(found)")
                }
                messages.append(ChatMessage(role: .user, content: user))
                messages.append(ChatMessage(role: .assistant, content: assistant))
            }
        }
        let instruction = try fields.requiredString("instruction")
        let input = try fields.optionalString("input") ?? ""
        let prompt = [instruction, input].filter { !$0.isEmpty }.joined(separator: "\n\n")
        guard !prompt.isEmpty else {
            throw DataError(.invalidSample, field: "instruction", "instruction and input are both empty")
        }
        messages.append(ChatMessage(role: .user, content: prompt))
        if let output = fields.value("output"), output.arrayValue != nil {
            throw DataError(
                .invalidSample, field: "output",
                "expected a string, found an array (ranking data is not supported by supervised fine-tuning)")
        }
        messages.append(ChatMessage(role: .assistant, content: try fields.requiredString("output")))
        return Conversation(messages)
    }
}
