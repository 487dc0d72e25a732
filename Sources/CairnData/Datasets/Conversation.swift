/// A chat conversation: the unit a dataset sample becomes before a template renders it.
///
/// A valid training conversation (see ``validate()``) is an optional system message followed by user and
/// assistant turns that alternate, starting with user and ending with assistant.
public struct Conversation: Hashable, Sendable {
    /// The turns in order.
    public var messages: [ChatMessage]

    /// Creates a conversation.
    public init(_ messages: [ChatMessage]) {
        self.messages = messages
    }

    /// Checks the turn order: optional system first, then user/assistant alternating, ending with assistant.
    ///
    /// - Parameter fieldName: The record field the messages came from, so the error names it
    ///   (`messages[3].role`).
    /// - Throws: ``DataError`` `.invalidSample` naming the first message out of place.
    public func validate(fieldName: String = "messages") throws(DataError) {
        var expected: ChatMessage.Role = .user
        for (offset, message) in messages.enumerated() {
            let field = "\(fieldName)[\(offset)]"
            if message.role == .system {
                guard offset == 0 else {
                    throw DataError(.invalidSample, field: field, "a system message may only come first")
                }
                continue
            }
            guard message.role == expected else {
                let place =
                    offset == 0 || messages[offset - 1].role == .system
                    ? "first" : "after the \(messages[offset - 1].role.rawValue) turn"
                throw DataError(
                    .invalidSample, field: field,
                    "expected \(expected.withArticle) turn \(place), found \(message.role.rawValue)"
                        + "; user and assistant turns must alternate")
            }
            expected = expected == .user ? .assistant : .user
        }
        guard let last = messages.last, last.role == .assistant else {
            throw DataError(
                .invalidSample, field: fieldName,
                messages.contains { $0.role != .system }
                    ? "the conversation must end with an assistant turn (it is what the model learns)"
                    : "the conversation has no user and assistant turns")
        }
    }
}
