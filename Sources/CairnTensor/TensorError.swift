public import CairnCore

/// A tensor operation, the autograd tape or the BLAS library could not do what was asked.
public struct TensorError: CairnError {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's stable name, such as `blasUnavailable`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// OpenBLAS could not be opened, or a function Cairn needs is missing from it.
        public static let blasUnavailable = Code("blasUnavailable")
        /// The OpenBLAS build is one Cairn cannot call correctly (an ILP64 build with 64-bit `blasint`).
        public static let blasIncompatible = Code("blasIncompatible")
        /// `backward(from:)` was given a tensor this tape did not record.
        public static let lossNotRecorded = Code("lossNotRecorded")
        /// `backward(from:)` was given a tensor with more than one element.
        public static let lossNotScalar = Code("lossNotScalar")
    }

    /// What went wrong.
    public var code: Code
    /// What the error concerns (a library path, a tensor shape); empty when the message says it all.
    public var context: String
    /// What went wrong and how to fix it.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error)?
    /// Where the error was raised.
    public var location: ErrorLocation

    /// Creates an error.
    public init(
        _ code: Code, context: String = "", _ message: String, cause: (any Error)? = nil,
        location: ErrorLocation = ErrorLocation()
    ) {
        self.code = code
        self.context = context
        self.message = message
        self.cause = cause
        self.location = location
    }

    /// The ``context``.
    public var contextDescription: String { context }
}
