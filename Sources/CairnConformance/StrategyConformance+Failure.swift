public import CairnCore

extension StrategyConformance {
    /// One law broken, with the inputs that broke it: the world size, rank, step and key concerned, what was
    /// expected and what happened, and where a common cause exists, a hint.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The law.
        public var law: Law
        /// The strategy's kind.
        public var strategy: StrategyKind
        /// The world size of the run that broke it.
        public var worldSize: Int?
        /// The rank that saw it, when one rank did.
        public var rank: Int?
        /// The optimizer step (1-based) where it was seen.
        public var step: Int?
        /// The state key or parameter concerned.
        public var key: StateKey?
        /// The expected value or behaviour.
        public var expected: String
        /// What happened instead.
        public var actual: String
        /// A likely cause, when the kit knows one.
        public var hint: String?

        /// Creates a failure.
        public init(
            law: Law, strategy: StrategyKind, worldSize: Int? = nil, rank: Int? = nil, step: Int? = nil,
            key: StateKey? = nil, expected: String, actual: String, hint: String? = nil
        ) {
            self.law = law
            self.strategy = strategy
            self.worldSize = worldSize
            self.rank = rank
            self.step = step
            self.key = key
            self.expected = expected
            self.actual = actual
            self.hint = hint
        }

        public var description: String {
            var place: [String] = []
            if let worldSize { place.append("world size \(worldSize)") }
            if let rank { place.append("rank \(rank)") }
            if let step { place.append("step \(step)") }
            if let key { place.append("key \(key)") }
            let context = place.isEmpty ? "" : " (" + place.joined(separator: ", ") + ")"
            let hint = hint.map { " ---> HINT: \($0)" } ?? ""
            return "StrategyConformance.\(law.rawValue) failed for '\(strategy)'\(context): expected \(expected), "
                + "got \(actual)\(hint)"
        }
    }
}
