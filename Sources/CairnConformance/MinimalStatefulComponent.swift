public import CairnCore

/// The smallest honest ``StatefulComponent``: a counter, its history and a three-float tensor that change on
/// every ``advance()``, and call counters that show what the checkpoint layer did to it.
///
/// A fixture for tests of code that saves and restores components (a checkpoint manager, a custom backend)
/// without a model; it satisfies every ``StatefulComponentConformance`` law. Strict loads are all-or-nothing.
public final class MinimalStatefulComponent: StatefulComponent {
    /// Units of work done.
    public private(set) var count: Int64 = 0
    /// Every output so far.
    public private(set) var history: [Int64] = []
    /// A small tensor that follows the counter.
    public private(set) var weights: [Float] = [0, 0, 0]
    /// How many times ``stateDict()`` was called.
    public private(set) var stateDictCallCount = 0
    /// How many times ``loadStateDict(_:options:)`` was called (successful or not).
    public private(set) var loadCallCount = 0

    /// The keys the component saves.
    public static let keys: [StateKey] = ["count", "history", "weights"]

    /// Creates a component at count 0.
    public init() {}

    /// Does one unit of work and returns its output, which depends on the whole state.
    @discardableResult
    public func advance() -> Int64 {
        count += 1
        let output = count * 31 + Int64(weights[1] * 4) + Int64(history.count)
        history.append(output)
        weights = [Float(count) * 0.5, weights[1] + 0.25, -weights[2] - 1]
        return output
    }

    public func stateDict() throws -> StateDict {
        stateDictCallCount += 1
        return StateDict([
            ("count", .int(count)), ("history", .ints(history)),
            ("weights", .tensor(StateTensor(shape: [3], copying: weights))),
        ])
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        loadCallCount += 1
        try dict.checkKeys(Self.keys, options: options)
        var (count, history, weights) = (self.count, self.history, self.weights)
        if dict["count"] != nil {
            count = try dict.int("count")
            guard count >= 0 else { throw StateDictError(.invalidValue, key: "count", "negative count \(count)") }
        }
        if dict["history"] != nil { history = try dict.ints("history") }
        if dict["weights"] != nil {
            let tensor = try dict.tensor("weights")
            guard tensor.layout == .replicated([3]) else {
                throw StateDictError(.wrongLayout, key: "weights", "expected float32[3], found \(tensor.layout)")
            }
            weights = Array(tensor.floats)
        }
        (self.count, self.history, self.weights) = (count, history, weights)
    }
}
