/// A registry lookup or registration failed: an unknown kind, or a kind registered twice.
public struct RegistryError: CairnError {
    /// What kind of problem.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let unknownKind = Code("unknownKind")
        public static let duplicateKind = Code("duplicateKind")
        public static let duplicateNamespace = Code("duplicateNamespace")
    }

    public var code: Code
    /// The kind or namespace concerned.
    public var kind: String
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, kind: String, _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.kind = kind
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String { "'\(kind)'" }
}
