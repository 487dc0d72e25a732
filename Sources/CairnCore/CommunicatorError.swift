/// A collective failed: a peer died, timed out, or ranks called collectives that do not match.
public struct CommunicatorError: CairnError {
    /// What kind of failure.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let timedOut = Code("timedOut")
        public static let peerFailed = Code("peerFailed")
        public static let mismatchedCollective = Code("mismatchedCollective")
        public static let invalidArgument = Code("invalidArgument")
        public static let transport = Code("transport")
    }

    public var code: Code
    /// The rank that reports the failure.
    public var rank: Int
    /// The collective, such as `allReduce`.
    public var collective: String
    /// The group's world size.
    public var worldSize: Int
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, rank: Int, collective: String, worldSize: Int, _ message: String,
        cause: (any Error)? = nil, location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.rank = rank
        self.collective = collective
        self.worldSize = worldSize
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String { "rank \(rank)/\(worldSize) \(collective)" }
}
