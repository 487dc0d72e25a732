public import CairnCore
public import Testing

/// Checks the laws of ``CheckpointBackend`` on fresh, empty backends from a factory.
///
/// ```swift
/// @Test func fileSystemBackendSatisfiesTheLaws() async throws {
///     let root = try makeTemporaryFolder()
///     var count = 0
///     await CheckpointBackendConformance.verify {
///         count += 1
///         return FileSystemBackend(root: "\(root)/\(count)")
///     }
/// }
/// ```
///
/// Files are written by several simulated ranks at once, with contents of awkward sizes (empty files, empty
/// parts, a few MiB, odd lengths), so backends that map, batch or split writes are exercised too.
public enum CheckpointBackendConformance {
    /// One law of ``CheckpointBackend``.
    public enum Law: String, CaseIterable, Sendable {
        /// A written but uncommitted checkpoint is never listed as committed, before or after others commit.
        case uncommittedIsInvisible
        /// Every rank's files read back exactly as written, whole and by sub-range, before and after commit.
        case readReturnsWrite
        /// Deleting a missing, an uncommitted or a committed checkpoint succeeds, twice; it is then gone.
        case deleteIsIdempotent
        /// After commit the checkpoint is listed as committed with its manifest readable; committing the same
        /// step again replaces it as a whole (files of the old version are gone).
        case commitIsAtomic
        /// Checkpoints whose writes stopped part-way (a dead process) stay uncommitted, so resume still picks
        /// the last committed one.
        case tornWriteNeverResumed
    }

    /// One law broken, with the inputs that broke it.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The law.
        public var law: Law
        /// The checkpoint concerned.
        public var checkpoint: CheckpointID?
        /// The file concerned.
        public var path: String?
        /// The expected value or behaviour.
        public var expected: String
        /// What happened instead.
        public var actual: String

        public var description: String {
            let place = [checkpoint?.name, path].compactMap { $0 }.joined(separator: "/")
            return "CheckpointBackendConformance.\(law.rawValue) failed\(place.isEmpty ? "" : " for \(place)"): "
                + "expected \(expected), got \(actual)"
        }
    }

    // MARK: - Entry points

    /// Checks `laws`, each on a backend from `makeBackend` (which must return an empty one every time), and
    /// records each failure as an issue at `sourceLocation`.
    public static func verify(
        laws: [Law] = Law.allCases, sourceLocation: SourceLocation = #_sourceLocation,
        makeBackend: () async throws -> any CheckpointBackend
    ) async {
        for failure in await check(laws: laws, makeBackend: makeBackend) {
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
        }
    }

    /// Checks `laws` and returns the failures (an unexpected error is one too).
    public static func check(
        laws: [Law] = Law.allCases, makeBackend: () async throws -> any CheckpointBackend
    ) async -> [Failure] {
        var failures: [Failure] = []
        for law in Law.allCases where laws.contains(law) {
            do {
                var run = BackendLawRun(law: law, backend: try await makeBackend())
                try await run.check()
                failures += run.failures
            } catch {
                failures.append(Failure(law: law, expected: "no error", actual: "\(error)"))
            }
        }
        return failures
    }
}
