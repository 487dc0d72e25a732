/// A checkpoint exists but cannot be written, committed or read as it is.
///
/// "No checkpoint yet" is not an error: lookups return `nil` for it. Everything here means a checkpoint (or the
/// attempt to make one) is broken, and a run must never silently start over from base weights because of it.
public struct CheckpointError: CairnError {
    /// What is wrong.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The path names no checkpoint folder.
        public static let notFound = Code("notFound")
        /// The folder exists but was never committed (no `COMPLETE` marker, or still `.tmp`).
        public static let notCommitted = Code("notCommitted")
        /// A file's size or digest differs from the manifest, or a file is missing.
        public static let corrupt = Code("corrupt")
        /// A manifest, header or JSON file is not what the format allows.
        public static let malformed = Code("malformed")
        /// The checkpoint is fine but cannot resume this run (other base model, other global batch, …).
        public static let incompatible = Code("incompatible")
        /// A path in a manifest escapes the checkpoint folder.
        public static let unsafePath = Code("unsafePath")
        /// The operating system refused a read, write, rename or sync.
        public static let io = Code("io")
        /// Ranks disagreed or a peer failed during the commit protocol.
        public static let commitFailed = Code("commitFailed")
    }

    public var code: Code
    /// The checkpoint folder or object prefix.
    public var checkpoint: String?
    /// The global step of the checkpoint.
    public var step: Int?
    /// The rank that raised the error.
    public var rank: Int?
    /// The state key concerned.
    public var key: StateKey?
    /// The file inside the checkpoint concerned.
    public var file: String?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, checkpoint: String? = nil, step: Int? = nil, rank: Int? = nil, key: StateKey? = nil,
        file: String? = nil, _ message: String, cause: (any Error)? = nil, location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.checkpoint = checkpoint
        self.step = step
        self.rank = rank
        self.key = key
        self.file = file
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        var parts: [String] = []
        if let checkpoint { parts.append(checkpoint) }
        if let file { parts.append(file) }
        if let rank { parts.append("rank \(rank)") }
        if let key { parts.append("key \(key)") }
        return parts.joined(separator: ": ")
    }
}
