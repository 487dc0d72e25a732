import Testing

@testable import CairnData

private let goodRecord = #"{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}"#

@Test func datasetLoaderReadsJSONLSkippingBlankLinesAndKeepsLineNumbers() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("data.jsonl", "\(goodRecord)\n\n  \n\(goodRecord)\r\n\(goodRecord)")
    let samples = try DatasetLoader.load(DatasetSpec.Entry(name: "demo", path: file, converter: .messages))
    #expect(samples.map(\.source.line) == [1, 4, 5])
    #expect(samples.map(\.source.index) == [0, 1, 2])
    #expect(samples.allSatisfy { $0.conversation == conversation((.user, "Q"), (.assistant, "A")) })
}

@Test func datasetLoaderReadsJSONArraysWithElementLines() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write(
        "data.json",
        """
        [
          {"instruction": "a", "output": "b"},
          {"instruction": "c",
           "output": "d"}
        ]
        """)
    let samples = try DatasetLoader.load(DatasetSpec.Entry(name: "demo", path: file, converter: .alpaca))
    #expect(samples.map(\.source.line) == [2, 3])
    #expect(samples[1].conversation == conversation((.user, "c"), (.assistant, "d")))
}

@Test func datasetLoaderNamesFileLineSampleAndFieldOfABadRecord() throws {
    let folder = try TemporaryFolder()
    let bad = #"{"messages": [{"role": "user", "content": "Q"}, {"role": "bot", "content": "A"}]}"#
    let file = try folder.write("data.jsonl", "\(goodRecord)\n\n\(bad)\n")
    let message = errorDescription {
        _ = try DatasetLoader.load(DatasetSpec.Entry(name: "demo", path: file, converter: .messages))
    }
    #expect(
        message
            == "\(file):3: dataset 'demo', sample 1: messages[1].role: unsupported role \"bot\"; "
            + "expected \"system\", \"user\" or \"assistant\"")
}

@Test func datasetLoaderReportsSyntaxErrorsWithLineAndColumn() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("data.jsonl", "\(goodRecord)\n{\"messages\": [}\n")
    #expect(
        errorDescription { _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: file, converter: .messages)) }
            == "\(file):2:15: dataset 'd': unexpected character '}', expected a value")
    let pretty = try folder.write("pretty.jsonl", "{\n  \"messages\": []\n}\n")
    #expect(
        errorDescription {
            _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: pretty, converter: .messages))
        }
            == "\(pretty):1:2: dataset 'd': unexpected end of input, expected a string key in an object; "
            + "JSONL needs one whole JSON object per line")
}

@Test func datasetLoaderTakesTheFirstSizeSamplesAndChecksThereAreEnough() throws {
    let folder = try TemporaryFolder()
    let lines = (0..<5).map { #"{"instruction": "q\#($0)", "output": "a"}"# }
    let file = try folder.write("data.jsonl", lines.joined(separator: "\n") + "\n{broken\n")
    let samples = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: file, converter: .alpaca, size: 3))
    #expect(samples.map { $0.conversation.messages[0].content } == ["q0", "q1", "q2"])
    let json = try folder.write("data.json", "[" + lines.joined(separator: ",") + "]")
    #expect(
        errorDescription {
            _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: json, converter: .alpaca, size: 9))
        }
            == "\(json): dataset 'd': size is 9 but the file holds only 5 records")
}

@Test func datasetLoaderConcatenatesDatasetsInSpecOrder() throws {
    let folder = try TemporaryFolder()
    let first = try folder.write("b.jsonl", #"{"instruction": "from b", "output": "x"}"#)
    let second = try folder.write("a.jsonl", #"{"instruction": "from a", "output": "y"}"#)
    let spec = DatasetSpec(entries: [
        DatasetSpec.Entry(name: "zeta", path: first, converter: .alpaca),
        DatasetSpec.Entry(name: "alpha", path: second, converter: .alpaca),
    ])
    let samples = try DatasetLoader.load(spec)
    #expect(samples.map(\.source.dataset) == ["zeta", "alpha"])
    #expect(samples.map { $0.conversation.messages[0].content } == ["from b", "from a"])
}

@Test func datasetLoaderRejectsMissingAndEmptyFiles() throws {
    let folder = try TemporaryFolder()
    let missing = folder.path + "/nope.jsonl"
    #expect(
        errorDescription { _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: missing, converter: .alpaca)) }
            == "\(missing): dataset 'd': no such file")
    let empty = try folder.write("empty.jsonl", "\n\n")
    #expect(
        errorDescription { _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: empty, converter: .alpaca)) }
            == "\(empty): dataset 'd': the file holds no records")
    #expect(
        errorDescription {
            _ = try DatasetLoader.load(DatasetSpec.Entry(name: "d", path: folder.path, converter: .alpaca))
        }
            == "\(folder.path): dataset 'd': is a folder, not a data file")
}
