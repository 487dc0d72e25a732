import Logging
import Synchronization

/// A log handler that keeps every message, so tests can assert what the trainer said.
final class LogCapture: LogHandler, @unchecked Sendable {
    // `@unchecked Sendable`: the only mutable state is the Mutex-protected message list; `metadata` and
    // `logLevel` are set before use and never changed concurrently by the tests.
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }

    /// Every message so far.
    var messages: [String] { lines.withLock { $0 } }

    /// Whether some message contains `text`.
    func contains(_ text: String) -> Bool { messages.contains { $0.contains(text) } }
}
