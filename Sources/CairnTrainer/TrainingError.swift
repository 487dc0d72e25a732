public import CairnCore

/// Training itself went wrong (as opposed to its configuration, data or checkpoints).
public struct TrainingError: CairnError {
    /// What went wrong.
    public struct Code: ErrorCode {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The loss or the gradient norm became NaN or infinite.
        public static let nonFiniteLoss = Code("nonFiniteLoss")
        /// The final model could not be written.
        public static let saveFailed = Code("saveFailed")
    }

    public var code: Code
    /// The optimizer step (1-based) concerned.
    public var step: Int?
    /// The rank that raised it.
    public var rank: Int?
    public var message: String
    public var cause: (any Error)?
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, step: Int? = nil, rank: Int? = nil, _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.step = step
        self.rank = rank
        self.message = message
        self.cause = cause
        self.location = location
    }

    public var contextDescription: String {
        [step.map { "step \($0)" }, rank.map { "rank \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}
