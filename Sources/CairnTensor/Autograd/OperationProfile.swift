/// Wall-clock time per op, forward and backward, collected while ``measure(_:)`` runs (for benchmarks).
///
/// Ops check for a profile with one task-local read, so an unprofiled run pays nothing measurable. Backward
/// nodes are timed by ``Tape/backward(from:onMarker:)`` when it runs inside ``measure(_:)``.
public final class OperationProfile {
    /// The accumulated time of one op in one phase.
    public struct Entry: Hashable, Sendable {
        /// How many times the op ran.
        public var calls = 0
        /// The total wall-clock time in seconds.
        public var seconds = 0.0
    }

    /// Forward time per op name (`linear`, `causalAttention`, …).
    public private(set) var forward: [String: Entry] = [:]
    /// Backward time per op name.
    public private(set) var backward: [String: Entry] = [:]

    @TaskLocal static var activeReference: Reference?

    /// A profile reference that can live in a task-local.
    ///
    /// `@unchecked Sendable`: like the tape, a profile is only touched by the rank task that installed it; the
    /// kernels' worker threads never read task-locals.
    struct Reference: @unchecked Sendable {
        let profile: OperationProfile
    }

    /// Creates an empty profile.
    public init() {}

    /// Runs `body` with this profile collecting op times.
    public func measure<R>(_ body: () async throws -> R) async rethrows -> R {
        try await Self.$activeReference.withValue(Reference(profile: self)) { try await body() }
    }

    /// Runs synchronous `body` with this profile collecting op times.
    public func measure<R>(_ body: () throws -> R) rethrows -> R {
        try Self.$activeReference.withValue(Reference(profile: self)) { try body() }
    }

    /// Forgets all entries.
    public func reset() {
        forward = [:]
        backward = [:]
    }

    /// A table of ops, slowest total first: calls and milliseconds forward and backward.
    public var report: String {
        let names = Set(forward.keys).union(backward.keys).sorted { lhs, rhs in
            let left = (forward[lhs]?.seconds ?? 0) + (backward[lhs]?.seconds ?? 0)
            let right = (forward[rhs]?.seconds ?? 0) + (backward[rhs]?.seconds ?? 0)
            return left > right
        }
        func milliseconds(_ entry: Entry?) -> String {
            guard let entry else { return "-" }
            return String(Double(Int(entry.seconds * 10_000)) / 10)
        }
        var lines = ["op calls forward-ms backward-ms"]
        for name in names {
            let calls = max(forward[name]?.calls ?? 0, backward[name]?.calls ?? 0)
            lines.append("\(name) \(calls) \(milliseconds(forward[name])) \(milliseconds(backward[name]))")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - Recording

    static var active: OperationProfile? { activeReference?.profile }

    func add(_ name: String, backward isBackward: Bool, seconds: Double) {
        if isBackward {
            backward[name, default: Entry()].calls += 1
            backward[name, default: Entry()].seconds += seconds
        } else {
            forward[name, default: Entry()].calls += 1
            forward[name, default: Entry()].seconds += seconds
        }
    }
}

/// Runs an op's forward `body`, timing it when a profile is active.
@inline(__always)
func profiled<R>(_ name: StaticString, _ body: () -> R) -> R {
    guard let profile = OperationProfile.active else { return body() }
    let start = ContinuousClock.now
    let result = body()
    profile.add(name.description, backward: false, seconds: (ContinuousClock.now - start).seconds)
    return result
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
