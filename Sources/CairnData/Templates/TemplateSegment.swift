/// A piece of rendered text and whether its tokens carry loss.
public struct TemplateSegment: Hashable, Sendable {
    /// The text, special tokens spelled out.
    public var text: String
    /// Whether the tokens of this text are trained on.
    public var carriesLoss: Bool

    /// Creates a segment.
    public init(_ text: String, carriesLoss: Bool) {
        self.text = text
        self.carriesLoss = carriesLoss
    }
}
