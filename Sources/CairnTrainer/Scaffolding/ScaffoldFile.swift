/// One file of a scaffold: where it goes inside the package, and what it holds.
public struct ScaffoldFile: Hashable, Sendable {
    /// The path relative to the package root, with `/` separators (`Sources/CairnLocalSGD/LocalSGDStrategy.swift`).
    public var path: String
    /// The file's text, ending in a newline.
    public var contents: String

    /// Creates a file.
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}
