/// A configuration (YAML file, command-line override, strategy options) is invalid.
///
/// Carries the dotted key path (`dist_config.world_size`) and, when the value came from a file, its position,
/// so the rendered error reads `tiny.yaml:10:15: dist_config.world_size: 3 does not divide 4`.
public struct ConfigurationError: CairnError {
    /// What kind of problem.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let malformedInput = Code("malformedInput")
        public static let unknownKey = Code("unknownKey")
        public static let missingKey = Code("missingKey")
        public static let wrongType = Code("wrongType")
        public static let outOfRange = Code("outOfRange")
        public static let invalidValue = Code("invalidValue")
        public static let missingFile = Code("missingFile")
        public static let unknownKind = Code("unknownKind")
    }

    public var code: Code
    /// The dotted key path of the offending value.
    public var keyPath: String?
    /// Where the value is in the user's input.
    public var position: InputPosition?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, keyPath: String? = nil, position: InputPosition? = nil, _ message: String,
        cause: (any Error)? = nil, location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.keyPath = keyPath
        self.position = position
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        [position?.description, keyPath.flatMap { $0.isEmpty ? nil : $0 }].compactMap { $0 }.joined(separator: ": ")
    }
}
