import Dispatch

/// Runs two bodies on two threads at once (for race tests; bodies that wait for each other need
/// `DispatchQueue.global()` to have two threads, which it grows on demand).
enum DispatchQueueRace {
    /// Calls `body(0)` and `body(1)` concurrently and returns when both have finished.
    static func run(_ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for worker in 0..<2 {
            DispatchQueue.global().async(group: group) { body(worker) }
        }
        group.wait()
    }
}
