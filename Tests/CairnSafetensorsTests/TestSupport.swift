import CairnCore
import Foundation

@testable import CairnSafetensors

/// A fresh folder under the temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory {
    let path: String

    /// Creates the folder under the temporary directory, or in memory (`/dev/shm`) when `inMemory` and the
    /// system has one — the hostile-file sweep writes thousands of files, which a disk makes slow.
    init(_ label: String = #function, inMemory: Bool = false) throws {
        let name = "cairn-st-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        let memory = "/dev/shm"
        let parent = inMemory && FileManager.default.isWritableFile(atPath: memory) ? memory : NSTemporaryDirectory()
        path = (parent as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }
}

/// The bytes of a safetensors file with header `json` (no padding) followed by `data`.
func safetensorsBytes(json: String, data: [UInt8] = []) -> [UInt8] {
    let header = Array(json.utf8)
    return withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header + data
}

/// The validated layout of in-memory file bytes.
func decode(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsHeader.FileLayout {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(SafetensorsError) in try SafetensorsHeader.decodeFile(buffer, path: "<memory>") }
    }
    return try result.get()
}

/// The error code `body` throws, or `nil` when it succeeds.
func errorCode<T>(_ body: () throws(SafetensorsError) -> T) -> SafetensorsError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

/// The bytes of a file written by `writer` (parts concatenated).
func concatenated(_ payload: SafetensorsPayload) -> [UInt8] {
    payload.parts.flatMap { Array($0.bytes) }
}

/// The folder holding this test file's fixtures.
let fixturesDirectory: String = {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    return here.appendingPathComponent("Fixtures").path
}()
