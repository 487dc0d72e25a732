/// A JSON document is not valid, with where parsing stopped.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, such as `expected ',' or '}' after an object member`.
    public var message: String
    /// Byte offset of the problem from the start of the parsed bytes.
    public var offset: Int
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem, in bytes.
    public var column: Int

    /// Creates an error.
    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// Where the problem is.
    public var position: JSONPosition { JSONPosition(offset: offset, line: line, column: column) }

    /// `line:column: message (byte offset)`.
    public var description: String { "\(line):\(column): \(message) (byte \(offset))" }
}
