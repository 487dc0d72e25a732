/// A state dict did not match what a component expects.
public struct StateDictError: CairnError {
    /// What kind of mismatch.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let missingKey = Code("missingKey")
        public static let unexpectedKey = Code("unexpectedKey")
        public static let wrongType = Code("wrongType")
        public static let wrongLayout = Code("wrongLayout")
        public static let invalidValue = Code("invalidValue")
        public static let duplicateKey = Code("duplicateKey")
    }

    public var code: Code
    /// The offending key, relative to the dict it was found in; ``StateRegistry`` makes it absolute.
    public var key: StateKey?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, key: StateKey? = nil, _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.key = key
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String { key.map { "state key \($0)" } ?? "" }
}
