public import CairnCore

/// What ``CheckpointVerifier`` found: whether the checkpoint is committed and intact, and every problem with
/// the file or key it concerns.
public struct VerificationReport: Sendable, CustomStringConvertible {
    /// One thing wrong with a checkpoint.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The kind of problem (`notCommitted`, `corrupt`, `malformed`, `unsafePath`, `io`, …).
        public var code: CheckpointError.Code
        /// The file concerned, inside the checkpoint.
        public var file: String?
        /// The state key concerned.
        public var key: StateKey?
        /// What is wrong.
        public var message: String

        /// Creates a problem.
        public init(code: CheckpointError.Code, file: String? = nil, key: StateKey? = nil, message: String) {
            self.code = code
            self.file = file
            self.key = key
            self.message = message
        }

        /// A problem from an error, keeping its file and key.
        init(_ error: any Error, file: String? = nil) {
            if let error = error as? CheckpointError {
                self.init(code: error.code, file: file ?? error.file, key: error.key, message: error.message)
            } else {
                self.init(code: .io, file: file, message: "\(error)")
            }
        }

        public var description: String {
            let context = [file, key.map { "key \($0)" }].compactMap { $0 }.joined(separator: ": ")
            return (context.isEmpty ? "" : context + ": ") + message + " [\(code)]"
        }
    }

    /// The checkpoint verified.
    public var checkpoint: CheckpointID
    /// Where it lives, as the backend lists it.
    public var location: String?
    /// Whether its commit marker exists.
    public var isCommitted: Bool
    /// The manifest, when it could be read and validated.
    public var manifest: CheckpointManifest?
    /// Everything wrong, in the order found.
    public var problems: [Problem]
    /// The number of files read and digested.
    public var filesChecked: Int
    /// The number of bytes read and digested.
    public var bytesChecked: Int

    /// Whether the checkpoint is committed, its manifest valid and every file intact: safe to resume from.
    public var isValid: Bool { isCommitted && manifest != nil && problems.isEmpty }

    /// The files named by problems.
    public var damagedFiles: Set<String> { Set(problems.compactMap(\.file)) }

    public var description: String {
        let state = isValid ? "OK" : "FAILED"
        var text = "\(checkpoint.name): \(state) (\(filesChecked) files, \(bytesChecked) bytes checked)"
        for problem in problems { text += "\n  " + problem.description }
        return text
    }
}
