/// Makes the tokenizer a configuration names.
public enum TokenizerLoader {
    /// The name that selects the built-in ``ByteTokenizer``.
    public static let byteTokenizerName = "byte"

    /// The tokenizer for `reference`: `byte` for ``ByteTokenizer``, otherwise a `tokenizer.json` file or a model
    /// folder that holds one, for ``BPETokenizer``.
    /// - Throws: ``DataError`` `.missingFile`, `.malformedFile` or `.invalidTokenizer`.
    public static func load(_ reference: String) throws(DataError) -> any Tokenizer {
        if reference == byteTokenizerName { return ByteTokenizer() }
        return try BPETokenizer(contentsOfFile: reference)
    }
}
