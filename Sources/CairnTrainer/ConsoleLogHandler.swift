public import Logging
import Foundation

/// A swift-log handler that prints through a ``Console`` so log lines and the progress line do not garble each
/// other: `12:04:31 info  step 20/200 | loss 2.3041 | …`.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let console: Console
    private let label: String

    /// Creates a handler writing to `console` at `level` and above.
    public init(label: String, console: Console = .standardError, level: Logger.Level = .info) {
        self.label = label
        self.console = console
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let suffix = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let level = event.level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        console.printLine("\(Self.timestamp()) \(level) \(event.message)\(suffix)")
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
