import Foundation
import Synchronization

/// The terminal the trainer reports to: log lines, and on a TTY a progress line kept at the bottom.
///
/// On a terminal, each log line clears the progress line, prints, and redraws it; elsewhere (CI logs, pipes,
/// files) there is no progress line and only plain log lines appear. Thread-safe: ranks and the log handler share
/// one instance.
public final class Console: Sendable {
    /// The process's standard error.
    public static let standardError = Console(fileDescriptor: 2)

    private struct State {
        var status: String?
    }

    /// Whether the output is a terminal (progress line enabled).
    public let isTerminal: Bool
    private let fileDescriptor: Int32
    private let state = Mutex(State())

    /// Creates a console writing to `fileDescriptor`.
    public init(fileDescriptor: Int32, isTerminal: Bool? = nil) {
        self.fileDescriptor = fileDescriptor
        self.isTerminal = isTerminal ?? (isatty(fileDescriptor) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
    }

    /// Prints one line, keeping the progress line (if any) below it.
    public func printLine(_ line: String) {
        state.withLock { state in
            var text = ""
            if isTerminal, state.status != nil { text += "\r\u{1B}[2K" }
            text += line + "\n"
            if isTerminal, let status = state.status { text += status }
            write(text)
        }
    }

    /// Replaces the progress line (ignored when not a terminal).
    public func setStatus(_ status: String?) {
        guard isTerminal else { return }
        state.withLock { state in
            state.status = status
            write("\r\u{1B}[2K" + (status ?? ""))
        }
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Foundation.write(fileDescriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
