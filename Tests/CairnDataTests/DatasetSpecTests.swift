import CairnConfig
import CairnCore
import Foundation
import Testing

@testable import CairnData

private func decodeOptions(_ json: String) throws -> DatasetSpec.EntryOptions {
    try JSONDecoder().decode(DatasetSpec.EntryOptions.self, from: Data(json.utf8))
}

@Test func entryOptionsAcceptPathOrLlamaFactoryKeys() throws {
    let plain = try decodeOptions(#"{"path": "a.jsonl", "converter": "alpaca", "size": 3}"#)
    #expect(plain == DatasetSpec.EntryOptions(path: "a.jsonl", converter: .alpaca, size: 3))
    let llamaFactory = try decodeOptions(
        #"{"file_name": "b.json", "dataset_dir": "data", "converter": "sharegpt", "num_samples": 5, "source": "local"}"#
    )
    #expect(
        llamaFactory
            == DatasetSpec.EntryOptions(path: "b.json", datasetDirectory: "data", converter: .sharegpt, size: 5))
}

@Test(arguments: [
    #"{"converter": "alpaca"}"#,
    #"{"path": "a", "file_name": "b", "converter": "alpaca"}"#,
    #"{"path": "a", "dataset_dir": "d", "converter": "alpaca"}"#,
    #"{"path": "a", "converter": "openai"}"#,
    #"{"path": "a"}"#,
    #"{"path": "a", "converter": "alpaca", "size": 0}"#,
    #"{"path": "a", "converter": "alpaca", "size": 2, "num_samples": 2}"#,
    #"{"path": "a", "converter": "alpaca", "source": "hf_hub"}"#,
])
func entryOptionsRejectInconsistentEntries(json: String) {
    #expect(throws: DecodingError.self) { try decodeOptions(json) }
}

@Test func specResolvesRelativePathsAgainstTheSpecFolder() throws {
    let spec = try DatasetSpec(
        [
            ("one", DatasetSpec.EntryOptions(path: "a.jsonl", converter: .alpaca)),
            ("two", DatasetSpec.EntryOptions(path: "b.json", datasetDirectory: "sub", converter: .messages, size: 2)),
            ("three", DatasetSpec.EntryOptions(path: "/abs/c.jsonl", converter: .sharegpt)),
        ], baseDirectory: "specs/data")
    #expect(spec.entries.map(\.path) == ["specs/data/a.jsonl", "specs/data/sub/b.json", "/abs/c.jsonl"])
    #expect(spec.entries.map(\.name) == ["one", "two", "three"])
    #expect(spec.entries[1].size == 2)
    #expect(DatasetSpec.directory(of: "Examples/data/demo.yaml") == "Examples/data")
    #expect(DatasetSpec.directory(of: "demo.yaml") == "")
    #expect(DatasetSpec.directory(of: "/demo.yaml") == "/")
}

@Test func specYAMLKeepsDocumentOrder() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write(
        "spec.yaml",
        """
        zeta:
          path: z.jsonl
          converter: messages
        alpha:
          file_name: a.json
          dataset_dir: data
          converter: alpaca
          num_samples: 10
        """)
    let spec = try DatasetSpec.load(contentsOfFile: file)
    #expect(spec.entries.map(\.name) == ["zeta", "alpha"])
    #expect(spec.entries.map(\.path) == [folder.path + "/z.jsonl", folder.path + "/data/a.json"])
    #expect(spec.entries.map(\.size) == [nil, 10])
}

@Test(arguments: [
    ("demo:\n  path: a.jsonl\n  converter: messages\n  shuffle: true\n", ConfigurationError.Code.unknownKey, 4, 3),
    ("demo:\n  path: a.jsonl\n  converter: openai\n", .invalidValue, 3, 14),
    ("demo:\n  path: a.jsonl\n  converter: alpaca\n  size: 0\n", .invalidValue, 4, 9),
    ("demo:\n  converter: alpaca\n", .missingKey, 2, 3),
    ("- a\n- b\n", .wrongType, 1, 1),
    ("{}\n", .invalidValue, 1, 1),
])
func specYAMLErrorsCarryPositions(yaml: String, code: ConfigurationError.Code, line: Int, column: Int) throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("spec.yaml", yaml)
    do {
        _ = try DatasetSpec.load(contentsOfFile: file)
        Issue.record("expected an error")
    } catch {
        #expect(error.code == code, "\(error)")
        #expect(error.position == InputPosition(file: file, line: line, column: column), "\(error)")
    }
}

@Test func specYAMLErrorKeyPathsStartWithTheDatasetName() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("spec.yaml", "demo:\n  path: a.jsonl\n  converter: alpaca\n  size: two\n")
    do {
        _ = try DatasetSpec.load(contentsOfFile: file)
        Issue.record("expected an error")
    } catch {
        #expect(error.keyPath == "demo.size", "\(error)")
    }
}

/// Runs where `Package.swift` is in the working directory (as `swift test` does from the package root); the
/// working directory is not changed here because tests run in parallel.
@Test(.enabled(if: FileManager.default.fileExists(atPath: "Package.swift")))
func missingDataFileHintsAtWorkingDirectoryResolution() throws {
    let folder = try TemporaryFolder()
    let specFile = try folder.write("specs/spec.yaml", "demo:\n  path: Package.swift\n  converter: alpaca\n")
    let spec = try DatasetSpec.load(contentsOfFile: specFile)
    let message = errorDescription { _ = try DatasetLoader.load(spec) }
    #expect(message?.contains("'Package.swift' exists relative to the working directory") == true, "\(message ?? "")")
}
