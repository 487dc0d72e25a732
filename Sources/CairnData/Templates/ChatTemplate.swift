/// A chat template: how a ``Conversation`` is written out as text, and which parts of it carry loss.
///
/// Only the assistant's content and the `<|im_end|>` that closes an assistant turn carry loss; system and user
/// turns, role headers and the newline after `<|im_end|>` never do. Both templates use ChatML markup.
///
/// **`chatml`**: each turn is `<|im_start|>{role}\n{content}<|im_end|>\n`. For a system message S, user turns
/// U1, U2 and assistant turns A1, A2 (`[…]` marks what carries loss):
///
/// ```text
/// <|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU1<|im_end|>\n<|im_start|>assistant\n[A1<|im_end|>]\n
/// <|im_start|>user\nU2<|im_end|>\n<|im_start|>assistant\n[A2<|im_end|>]\n
/// ```
///
/// This is also exactly what LlamaFactory's `qwen3_nothink` template produces (`src/llamafactory/data/
/// template.py` registers it with the `qwen` slots and no reasoning class; v1's
/// `plugins/model_plugins/templates/qwen3_nothink.py` renders the same text): that template targets Qwen3
/// *Instruct-2507* models, whose chat template has no think tags.
///
/// **`qwen3_nothink`**: as `chatml`, but every assistant turn opens with an empty reasoning block, which
/// carries no loss:
///
/// ```text
/// <|im_start|>assistant\n<think>\n\n</think>\n\n[A1<|im_end|>]\n
/// ```
///
/// That block is what Qwen3's own (hybrid-thinking) chat template writes for an assistant turn without
/// reasoning (`'<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n')` for the
/// turns after the last user message; Cairn strips leading newlines from the content likewise), and what its
/// generation prompt ends with under `enable_thinking=False`.
/// Training with it puts the model in the state it is prompted in at inference, and matches LlamaFactory's
/// `qwen3` template with `enable_thinking: false` (the empty thought joins the prompt of every turn, without
/// loss). For a single-turn conversation the text equals `apply_chat_template(messages)` of Qwen3 exactly; for
/// earlier turns of a multi-turn conversation Qwen3's template omits the block, Cairn keeps it so every trained
/// turn looks like a generated one. Reasoning already in an assistant's content (`<think>…</think>`) is removed
/// first, as LlamaFactory does when thinking is disabled.
public struct ChatTemplate: Hashable, Sendable {
    /// The templates Cairn implements.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Plain ChatML (also LlamaFactory's `qwen3_nothink` text).
        case chatml
        /// ChatML with Qwen3's empty reasoning block opening each assistant turn.
        case qwen3NoThink = "qwen3_nothink"
    }

    /// Which template.
    public let kind: Kind

    /// Creates a template.
    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// Creates a template from its configuration name (`chatml`, `qwen3_nothink`).
    /// - Throws: ``DataError`` `.unknownKind` listing the known names.
    public init(named name: String) throws(DataError) {
        guard let kind = Kind(rawValue: name) else {
            throw DataError(
                .unknownKind, field: "template",
                "unknown template '\(name)'; known templates: " + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.kind = kind
    }

    /// The empty reasoning block `qwen3_nothink` opens assistant turns with.
    public static let emptyThinkBlock = "<think>\n\n</think>\n\n"

    // MARK: - Rendering

    /// The conversation as text pieces in order, each marked with whether its tokens carry loss.
    public func segments(for conversation: Conversation) -> [TemplateSegment] {
        var segments: [TemplateSegment] = []
        for message in conversation.messages {
            switch message.role {
            case .system, .user:
                segments.append(
                    TemplateSegment(
                        "\(SpecialToken.imStart)\(message.role.rawValue)\n\(message.content)\(SpecialToken.imEnd)\n",
                        carriesLoss: false))
            case .assistant:
                var header = "\(SpecialToken.imStart)assistant\n"
                var content = message.content
                if kind == .qwen3NoThink {
                    header += Self.emptyThinkBlock
                    content = String(Self.removingReasoning(from: content).drop { $0 == "\n" })
                }
                segments.append(TemplateSegment(header, carriesLoss: false))
                segments.append(TemplateSegment(content + SpecialToken.imEnd, carriesLoss: true))
                segments.append(TemplateSegment("\n", carriesLoss: false))
            }
        }
        return segments
    }

    /// The text a model continues to answer `conversation`: the rendered turns, then an open assistant header
    /// (`<|im_start|>assistant\n`, and for `qwen3_nothink` the empty reasoning block), as Hugging Face's
    /// `apply_chat_template(…, add_generation_prompt=True)` renders it.
    public func generationPrompt(for conversation: Conversation) -> String {
        render(conversation) + "\(SpecialToken.imStart)assistant\n" + (kind == .qwen3NoThink ? Self.emptyThinkBlock : "")
    }

    /// The conversation as one text, as a model would read it.
    public func render(_ conversation: Conversation) -> String {
        segments(for: conversation).map(\.text).joined()
    }

    /// The conversation's token ids and, for each, whether it carries loss.
    ///
    /// Consecutive segments with the same loss flag are encoded together, and special tokens always split the
    /// text, so the ids equal those of encoding the whole rendered text except where an assistant's content
    /// starts with whitespace that could join the header's newline (LlamaFactory encodes prompt and response
    /// separately in the same way).
    /// - Throws: ``DataError`` `.invalidTokenizer` when the tokenizer lacks `<|im_start|>` or `<|im_end|>`.
    public func encode(_ conversation: Conversation, with tokenizer: any Tokenizer) throws(DataError)
        -> EncodedConversation
    {
        for token in [SpecialToken.imStart, SpecialToken.imEnd] {
            _ = try tokenizer.requireSpecialTokenID(token, neededBy: "the \(kind.rawValue) template")
        }
        var encoded = EncodedConversation(tokenIDs: [], lossMask: [])
        var pending = ""
        var pendingLoss = false
        func flush() {
            guard !pending.isEmpty else { return }
            let ids = tokenizer.encode(pending)
            encoded.tokenIDs += ids
            encoded.lossMask += repeatElement(pendingLoss, count: ids.count)
            pending = ""
        }
        for segment in segments(for: conversation) {
            if segment.carriesLoss != pendingLoss { flush() }
            pendingLoss = segment.carriesLoss
            pending += segment.text
        }
        flush()
        return encoded
    }

    // MARK: - Private helpers

    /// `content` without `<think>…</think>` blocks and the newlines after them.
    static func removingReasoning(from content: String) -> String {
        var text = Substring(content)
        var result = ""
        while let open = text.firstRange(of: SpecialToken.thinkStart),
            let close = text[open.upperBound...].firstRange(of: SpecialToken.thinkEnd)
        {
            result += text[..<open.lowerBound]
            text = text[close.upperBound...].drop { $0 == "\n" }
        }
        return result + text
    }
}
