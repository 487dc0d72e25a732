public import CairnCore

/// `fsdp2` cannot shard a model: its structure does not suit dim-0 sharding, or the ranks do not hold the same
/// model when the runtime is made.
public struct FSDPError: CairnError {
    /// What kind of problem.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// A parameter has no dim 0 to shard (a 0-d scalar).
        public static let unshardableParameter = Code("unshardableParameter")
        /// The model's units do not partition its parameters (a key in no unit, in two, or unknown).
        public static let invalidUnits = Code("invalidUnits")
        /// The ranks' models differ (keys, shapes or initial values) when the runtime is made.
        public static let divergentReplicas = Code("divergentReplicas")
    }

    public var code: Code
    /// The rank that reports the problem.
    public var rank: Int?
    /// The parameter concerned, if one.
    public var key: StateKey?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, rank: Int? = nil, key: StateKey? = nil, _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.rank = rank
        self.key = key
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        [rank.map { "rank \($0)" }, key.map(\.rawValue)].compactMap { $0 }.joined(separator: ": ")
    }
}
