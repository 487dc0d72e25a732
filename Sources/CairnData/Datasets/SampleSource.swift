/// Where a sample came from: the dataset's name, its file, the line where its record starts, and its index.
public struct SampleSource: Hashable, Sendable, CustomStringConvertible {
    /// The dataset's name in the spec.
    public var dataset: String
    /// The data file.
    public var file: String
    /// The 1-based line where the record starts.
    public var line: Int
    /// The 0-based index of the record in the file.
    public var index: Int

    /// Creates a provenance record.
    public init(dataset: String, file: String, line: Int, index: Int) {
        self.dataset = dataset
        self.file = file
        self.line = line
        self.index = index
    }

    public var description: String { "\(file):\(line): dataset '\(dataset)', sample \(index)" }
}
