public import CairnCore

/// Scaffolding a strategy module failed: the name is not usable, a file is in the way, or the files could not be
/// written.
public struct ScaffoldError: CairnError {
    /// What kind of problem.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The strategy name is not an UpperCamelCase Swift identifier, or it collides with an existing name.
        public static let invalidName = Code("invalidName")
        /// A file the scaffold would write already exists (and overwriting was not asked for).
        public static let fileExists = Code("fileExists")
        /// The module folder exists and holds another module, which no flag allows writing into.
        public static let moduleExists = Code("moduleExists")
        /// The folder is not a Swift package (it has no `Package.swift`).
        public static let notAPackage = Code("notAPackage")
        /// Creating a folder or writing a file failed.
        public static let writeFailed = Code("writeFailed")
    }

    public var code: Code
    /// The strategy name as the user gave it.
    public var strategyName: String?
    /// The file or folder concerned.
    public var path: String?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, strategyName: String? = nil, path: String? = nil, _ message: String,
        cause: (any Error)? = nil, location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.strategyName = strategyName
        self.path = path
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        [strategyName.map { "'\($0)'" }, path].compactMap { $0 }.joined(separator: ": ")
    }
}
