import CairnConfig
import CairnCore
import Foundation
import Testing

/// Runs `body` and returns the `ConfigurationError` it threw, or `nil` (recording an issue) when it threw
/// nothing or something else.
func configurationError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ConfigurationError? {
    do {
        try body()
        Issue.record("expected a ConfigurationError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("expected a ConfigurationError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Parses `text` as `file` (default `test.yaml`).
func parse(_ text: String, file: String = "test.yaml") throws -> YAMLNode {
    try YAMLParser.parse(text, file: file)
}

/// Decodes `type` from YAML `text` named `file`.
func decode<T: Decodable>(_ type: T.Type, _ text: String, file: String = "test.yaml") throws -> T {
    try YAMLDecoder().decode(type, from: text, file: file)
}

/// A fresh temporary folder, removed when the returned object is released.
final class TemporaryFolder {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/cairn-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` to `relative` (creating folders) and returns the full path.
    @discardableResult
    func write(_ relative: String, _ contents: String) throws -> String {
        try write(relative, bytes: Array(contents.utf8))
    }

    /// Writes `bytes` to `relative` (creating folders) and returns the full path.
    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Creates the folder `relative` and returns its full path.
    @discardableResult
    func makeFolder(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}
