/// One turn of a chat: who speaks and what they say.
public struct ChatMessage: Hashable, Sendable {
    /// Who speaks.
    public enum Role: String, Hashable, Sendable, CaseIterable {
        /// Instructions that frame the conversation; at most one, first.
        case system
        /// The human side; never carries loss.
        case user
        /// The model side; its content and its end token carry loss.
        case assistant
    }

    /// Who speaks.
    public var role: Role
    /// The text of the turn.
    public var content: String

    /// Creates a message.
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

extension ChatMessage.Role {
    /// The role's name with its indefinite article, for messages: `a user`, `an assistant`.
    var withArticle: String { self == .assistant ? "an assistant" : "a \(rawValue)" }
}
