import CairnCore
import CairnJSON
import Foundation
import Testing

@testable import CairnData

/// A fresh temporary folder for one test, removed when the value is deinitialized.
final class TemporaryFolder {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("cairn-data-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` inside the folder and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// The folder of committed fixtures (Package.swift declares no resources for this target).
let fixturesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// Parses one JSON document given as text.
func parseJSON(_ text: String) throws -> JSONValue {
    try JSONParser.parse(text)
}

/// The rendered description of the error `body` throws, or `nil` when it throws none.
func errorDescription(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DataError {
        return error.description
    } catch {
        return "\(error)"
    }
}

/// Shorthand for a conversation.
func conversation(_ turns: (ChatMessage.Role, String)...) -> Conversation {
    Conversation(turns.map { ChatMessage(role: $0.0, content: $0.1) })
}
