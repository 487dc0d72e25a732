/// Where a run's tokenizer comes from.
public enum TokenizerSource: Sendable, Equatable {
    /// Cairn's built-in byte-level tokenizer.
    case byteLevel
    /// A Hugging Face `tokenizer.json`.
    case huggingFace(path: String)
}
