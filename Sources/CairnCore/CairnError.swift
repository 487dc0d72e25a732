/// What every Cairn error domain shares: a message that says what went wrong and how to fix it, the context
/// that locates it, an underlying cause, and where in the source it was raised.
///
/// Conforming structs (``ConfigurationError``, ``StateDictError``, ``CheckpointError``, ``CommunicatorError``,
/// ``RegistryError``) hold an extensible `Code`; `description` renders them uniformly:
/// `tiny.yaml:10:15: dist_config.world_size: 3 does not divide …` followed by `caused by: …` lines.
public protocol CairnError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, and where a common cause exists, how to fix it.
    var message: String { get }
    /// The context that locates the problem (`key`, `rank 1`, `step 40`, a file position), most specific last.
    var contextDescription: String { get }
    /// The underlying error, if any.
    var cause: (any Error)? { get }
    /// Where the error was raised.
    var location: ErrorLocation { get }
}

extension CairnError {
    public var description: String {
        var text = contextDescription.isEmpty ? message : "\(contextDescription): \(message)"
        var next = cause
        while let error = next {
            if let cairn = error as? any CairnError {
                let context = cairn.contextDescription
                text += "\n  caused by: " + (context.isEmpty ? cairn.message : "\(context): \(cairn.message)")
                next = cairn.cause
            } else {
                text += "\n  caused by: \(error)"
                next = nil
            }
        }
        return text
    }
}

/// Declares an error code type: a struct over a private enum, so adding a code never breaks a `switch`.
///
/// Conformers write `public struct Code: ErrorCode { public let name: String; public init(name:) … }` and one
/// `static let` per code; `name` appears in logs and tests.
public protocol ErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The code's stable name, such as `unknownKey`.
    var name: String { get }
}

extension ErrorCode {
    public var description: String { name }
}
