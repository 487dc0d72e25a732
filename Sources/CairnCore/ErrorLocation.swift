/// Where in Cairn's (or a conformer's) source an error was raised.
///
/// Named `ErrorLocation`, not `SourceLocation`, so it never collides with Swift Testing's type of that name in
/// files that import both (the conformance kit does).
public struct ErrorLocation: Hashable, Sendable, CustomStringConvertible {
    /// The `#fileID` of the throw site, such as `CairnCheckpoint/Manifest.swift`.
    public var fileID: String
    /// The line of the throw site.
    public var line: Int

    /// Creates a location; the defaults capture the caller's position.
    public init(fileID: String = #fileID, line: Int = #line) {
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "\(fileID):\(line)" }
}

/// A position inside a user's input file (a YAML config, a dataset spec, a JSON header), 1-based.
public struct InputPosition: Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it, or a label such as `<command line>`.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a position from 1-based line and column numbers.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
