import Synchronization

/// A flag a background task raises when it finishes, which the training loop polls without waiting.
final class CompletionFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Raises the flag.
    func set() {
        raised.store(true, ordering: .releasing)
    }

    /// Whether the flag was raised.
    var isSet: Bool { raised.load(ordering: .acquiring) }
}
