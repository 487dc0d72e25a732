public import CairnCore
public import Testing

/// Checks the laws of ``StatefulComponent`` on a component type, from factories: one that makes a fresh
/// instance (as a resume would), one that advances an instance by one unit of work (an optimizer step, a batch)
/// and optionally returns what that unit produced, for comparison.
///
/// ```swift
/// @Test func scheduleSatisfiesTheLaws() {
///     StatefulComponentConformance.verify(
///         make: { LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-3, warmupSteps: 2, totalSteps: 10) },
///         advance: { schedule in defer { schedule.advance() }; return schedule.currentLearningRate })
/// }
/// ```
///
/// State dicts are compared bit for bit (tensors by layout and bytes, doubles by bit pattern), after a copy, so
/// components may return views of live storage.
public enum StatefulComponentConformance {
    /// One law of ``StatefulComponent``.
    public enum Law: String, CaseIterable, Sendable {
        /// Loading ``StatefulComponent/stateDict()`` into a fresh instance and saving again gives an equal dict.
        case roundTrip
        /// Restored at any step up to `steps` and then advanced, an instance produces the same outputs and ends in
        /// the same state as one advanced without interruption.
        case resumeEquivalence
        /// A strict load of a dict with an extra key throws and leaves the instance unchanged.
        case rejectsUnexpectedKeys
        /// A strict load of a dict without one of its keys throws and leaves the instance unchanged.
        case rejectsMissingKeys
        /// Keys are dotted `snake_case` components that name no rank, shard, world size or wrapper prefix.
        case canonicalKeys
    }

    /// One law broken, with the inputs that broke it.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The law.
        public var law: Law
        /// The component type.
        public var component: String
        /// The step (units of work done) where it was seen, when it matters.
        public var step: Int?
        /// The key concerned.
        public var key: StateKey?
        /// The expected value or behaviour.
        public var expected: String
        /// What happened instead.
        public var actual: String

        public var description: String {
            let step = step.map { " at step \($0)" } ?? ""
            let key = key.map { ", key \($0)" } ?? ""
            return "StatefulComponentConformance.\(law.rawValue) failed for \(component)\(step)\(key): "
                + "expected \(expected), got \(actual)"
        }
    }

    // MARK: - Entry points

    /// Checks `laws` and records each failure as an issue at `sourceLocation`.
    /// - Parameters:
    ///   - steps: units of work done before saving (resume equivalence restores at every step up to it).
    ///   - make: creates a fresh instance, as a resumed run would before loading.
    ///   - advance: does one unit of work and returns what it produced (compared across resumes).
    public static func verify<Component: StatefulComponent, Output: Equatable>(
        steps: Int = 3, laws: [Law] = Law.allCases, sourceLocation: SourceLocation = #_sourceLocation,
        make: () throws -> Component, advance: (Component) throws -> Output
    ) {
        for failure in check(steps: steps, laws: laws, make: make, advance: advance) {
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
        }
    }

    /// Checks `laws` for a component whose unit of work produces nothing to compare (its state still is).
    public static func verify<Component: StatefulComponent>(
        steps: Int = 3, laws: [Law] = Law.allCases, sourceLocation: SourceLocation = #_sourceLocation,
        make: () throws -> Component, advance: (Component) throws -> Void
    ) {
        verify(steps: steps, laws: laws, sourceLocation: sourceLocation, make: make) { component -> Bool in
            try advance(component)
            return true
        }
    }

    /// Checks `laws` and returns the failures (an error thrown by a factory or the component is one too).
    public static func check<Component: StatefulComponent, Output: Equatable>(
        steps: Int = 3, laws: [Law] = Law.allCases, make: () throws -> Component,
        advance: (Component) throws -> Output
    ) -> [Failure] {
        let name = String(describing: Component.self)
        var failures: [Failure] = []
        for law in Law.allCases where laws.contains(law) {
            do {
                failures += try withoutActuallyEscaping(make) { make in
                    try withoutActuallyEscaping(advance) { advance in
                        try LawRun(law: law, name: name, steps: max(1, steps), make: make, advance: advance).check()
                    }
                }
            } catch {
                failures.append(Failure(law: law, component: name, expected: "no error", actual: "\(error)"))
            }
        }
        return failures
    }
}

// MARK: - Laws

/// One law checked on one component type.
private struct LawRun<Component: StatefulComponent, Output: Equatable> {
    typealias Failure = StatefulComponentConformance.Failure
    let law: StatefulComponentConformance.Law
    let name: String
    let steps: Int
    let make: () throws -> Component
    let advance: (Component) throws -> Output

    func check() throws -> [Failure] {
        switch law {
        case .roundTrip: try roundTrip()
        case .resumeEquivalence: try resumeEquivalence()
        case .rejectsUnexpectedKeys: try rejectsUnexpectedKeys()
        case .rejectsMissingKeys: try rejectsMissingKeys()
        case .canonicalKeys: try canonicalKeys()
        }
    }

    private func failure(step: Int? = nil, key: StateKey? = nil, expected: String, actual: String) -> Failure {
        Failure(law: law, component: name, step: step, key: key, expected: expected, actual: actual)
    }

    /// A fresh instance advanced `count` times.
    private func advanced(_ count: Int) throws -> Component {
        let component = try make()
        for _ in 0..<count { _ = try advance(component) }
        return component
    }

    private func roundTrip() throws -> [Failure] {
        let saved = try StateSnapshot.of(advanced(steps))
        let fresh = try make()
        try fresh.loadStateDict(saved, options: .strict)
        guard let difference = StateSnapshot.firstDifference(saved, try StateSnapshot.of(fresh)) else { return [] }
        return [failure(step: steps, key: difference.key, expected: difference.expected, actual: difference.actual)]
    }

    private func resumeEquivalence() throws -> [Failure] {
        let reference = try make()
        var outputs: [Output] = []
        for _ in 0..<(2 * steps) { outputs.append(try advance(reference)) }
        let finalState = try StateSnapshot.of(reference)
        var failures: [Failure] = []
        for resumeStep in 0...steps {
            let resumed = try make()
            try resumed.loadStateDict(try StateSnapshot.of(advanced(resumeStep)), options: .strict)
            for step in resumeStep..<(2 * steps) {
                let output = try advance(resumed)
                if output != outputs[step] {
                    failures.append(failure(step: step, expected: "output \(outputs[step]) (uninterrupted)",
                                            actual: "\(output) after resuming at step \(resumeStep)"))
                    break
                }
            }
            if let difference = StateSnapshot.firstDifference(finalState, try StateSnapshot.of(resumed)) {
                failures.append(failure(step: 2 * steps, key: difference.key, expected: difference.expected,
                                        actual: difference.actual + " after resuming at step \(resumeStep)"))
            }
        }
        return failures
    }

    private func rejectsUnexpectedKeys() throws -> [Failure] {
        var dict = try StateSnapshot.of(advanced(steps))
        let stray = StateKey("conformance_unexpected_key")
        dict[stray] = .int(1)
        return try rejects(dict, step: steps, key: stray, what: "an unexpected key")
    }

    private func rejectsMissingKeys() throws -> [Failure] {
        let saved = try StateSnapshot.of(advanced(steps))
        let keys = saved.keys
        // Every key of small dicts, and an even sample of 32 of large ones (a model has hundreds).
        let stride = max(1, keys.count / 32)
        var failures: [Failure] = []
        for index in Swift.stride(from: 0, to: keys.count, by: stride) {
            var dict = saved
            dict[keys[index]] = nil
            failures += try rejects(dict, step: steps, key: keys[index], what: "a missing key")
        }
        return failures
    }

    /// Checks that a strict load of `dict` into an instance advanced one step throws and changes nothing.
    private func rejects(_ dict: StateDict, step: Int, key: StateKey, what: String) throws -> [Failure] {
        let target = try advanced(1)
        let before = try StateSnapshot.of(target)
        do {
            try target.loadStateDict(dict, options: .strict)
            return [failure(step: step, key: key, expected: "a strict load of a dict with \(what) throws", actual: "it loaded")]
        } catch {
            guard let difference = StateSnapshot.firstDifference(before, try StateSnapshot.of(target)) else { return [] }
            return [failure(step: step, key: difference.key, expected: "the instance unchanged after a rejected load (\(what))",
                            actual: "\(difference.actual) instead of \(difference.expected)")]
        }
    }

    private func canonicalKeys() throws -> [Failure] {
        var failures: [Failure] = []
        for key in try StateSnapshot.of(advanced(steps)).keys {
            if let problem = CanonicalKey.problem(with: key) {
                failures.append(failure(key: key, expected: "a canonical key", actual: problem))
            }
        }
        return failures
    }
}
