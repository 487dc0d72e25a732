public import CairnCore
public import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the laws of ``Communicator``: every collective matches an in-memory reference, barriers order, bad
/// arguments and mismatched calls are reported.
///
/// The laws run inside a rank: each rank of a group calls ``check(_:laws:)`` with its own communicator, in
/// lockstep with the others, and gets back the failures it saw. That is how they run in every process of an
/// `mpiexec` job (the `cairn-mpi-check` tool). ``verify(worldSize:laws:sourceLocation:run:)`` runs them on every
/// rank of an in-process group and records each failure as a test issue on the caller's line:
///
/// ```swift
/// @Test(arguments: 1...4)
/// func localRankGroupSatisfiesTheLaws(worldSize: Int) async {
///     let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(20))
///     await CommunicatorConformance.verify(worldSize: worldSize) { rankBody in
///         try await group.run { communicator in await rankBody(communicator) }
///     }
/// }
/// ```
///
/// Values are small multiples of ¼ (or integers), so sums are exact in any reduction order and results must be
/// bit-identical to the reference, except in ``Law/allReduceAgreesAcrossRanks``, which sums random values and
/// only asks that every rank gets the same bits, close to the rank-order sum.
public enum CommunicatorConformance {
    /// One law of ``Communicator``.
    public enum Law: String, CaseIterable, Sendable {
        /// `rank` is in `0..<worldSize`, and the ranks of a group are distinct.
        case identity
        /// `allReduce(.sum)` of `Float`, `Double`, `Int64` and `UInt8` equals the reference, for counts 0 to 65 537.
        case allReduceSum
        /// `allReduce(.max)` equals the reference.
        case allReduceMax
        /// `allReduce(.min)` equals the reference.
        case allReduceMin
        /// Summing random `Float`s gives every rank the same bits, within rounding of the rank-order sum.
        case allReduceAgreesAcrossRanks
        /// `allGather` places each rank's block at `rank × count`.
        case allGather
        /// `reduceScatter` gives each rank its chunk of the reduction, for `.sum`, `.max` and `.min`.
        case reduceScatter
        /// `broadcast` from each root in turn copies the root's buffer everywhere.
        case broadcastFromEveryRoot
        /// `allGatherBytes` returns every rank's blob in rank order: unequal sizes, empty blobs, all empty.
        case allGatherBytes
        /// No rank leaves `barrier()` before a late rank has entered it.
        case barrierOrdering
        /// A bad root or buffer size throws `.invalidArgument` on every rank and leaves the group usable.
        case rejectsInvalidArguments
        /// Ranks that all-reduce different counts all throw `.mismatchedCollective`. Runs last: a group may stay
        /// failed afterwards (the embedded one does). Leave it out for a transport that cannot detect mismatches.
        case detectsMismatchedCounts
    }

    /// One law broken on one rank, with the inputs that broke it.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The law.
        public var law: Law
        /// The rank that saw it.
        public var rank: Int
        /// The group's world size.
        public var worldSize: Int
        /// The call that broke it, such as `allReduce(.sum) of 7 Float`.
        public var check: String
        /// The first element that differs, when elements are compared.
        public var index: Int?
        /// The expected value or behaviour.
        public var expected: String
        /// What happened instead.
        public var actual: String
        /// Whether a collective threw unexpectedly, which ended the run on this rank: the ranks may be out of
        /// step afterwards, so no further collective should be attempted.
        public var endedTheRun: Bool = false

        public var description: String {
            let element = index.map { " at index \($0)" } ?? ""
            return "CommunicatorConformance.\(law.rawValue) failed on rank \(rank) of \(worldSize): "
                + "\(check)\(element): expected \(expected), got \(actual)"
        }
    }

    /// One rank's part of a run: checks the laws on its communicator and returns the failures it saw.
    public typealias RankBody = @Sendable (any Communicator) async -> [Failure]

    // MARK: - Entry points

    /// Runs `laws` on every rank of a group of `worldSize` and records each failure as an issue at
    /// `sourceLocation`.
    ///
    /// - Parameters:
    ///   - worldSize: the group's size; each rank's communicator must report it.
    ///   - laws: the laws to check, in any order (they always run in declaration order).
    ///   - sourceLocation: where issues are recorded; the caller's line by default.
    ///   - run: starts the group: calls the given rank body once per rank, concurrently, with that rank's
    ///     communicator, and returns the bodies' results in rank order (what `LocalRankGroup.run` does).
    public static func verify(
        worldSize: Int, laws: [Law] = Law.allCases, sourceLocation: SourceLocation = #_sourceLocation,
        run: (_ rankBody: @escaping RankBody) async throws -> [[Failure]]
    ) async {
        let failures: [[Failure]]
        do {
            failures = try await run { communicator in await check(communicator, laws: laws) }
        } catch {
            Issue.record(error, "CommunicatorConformance: the group of \(worldSize) failed",
                         sourceLocation: sourceLocation)
            return
        }
        if failures.count != worldSize {
            Issue.record("CommunicatorConformance: the group returned \(failures.count) results for \(worldSize) ranks",
                         sourceLocation: sourceLocation)
        }
        for failure in failures.joined() {
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
        }
    }

    /// Checks `laws` on this rank's `communicator`, in lockstep with the other ranks, and returns what failed.
    ///
    /// Never throws: an unexpected error becomes a failure and ends the run (the ranks may be out of step
    /// afterwards), so the other ranks then fail or time out in their next collective.
    /// > Important: every rank of the group must call it with the same `laws`.
    public static func check(_ communicator: any Communicator, laws: [Law] = Law.allCases) async -> [Failure] {
        var recorder = Recorder(rank: communicator.rank, worldSize: communicator.worldSize)
        for law in Law.allCases where laws.contains(law) {
            recorder.law = law
            do {
                try await run(law, on: communicator, &recorder)
            } catch {
                recorder.fail(recorder.currentCheck, expected: "no error", actual: "\(error)")
                recorder.failures[recorder.failures.count - 1].endedTheRun = true
                break
            }
        }
        return recorder.failures
    }

    // MARK: - Laws

    private static func run(_ law: Law, on communicator: any Communicator, _ recorder: inout Recorder) async throws {
        switch law {
        case .identity: try await checkIdentity(communicator, &recorder)
        case .allReduceSum: try await checkAllReduce(.sum, communicator, &recorder)
        case .allReduceMax: try await checkAllReduce(.max, communicator, &recorder)
        case .allReduceMin: try await checkAllReduce(.min, communicator, &recorder)
        case .allReduceAgreesAcrossRanks: try await checkAgreement(communicator, &recorder)
        case .allGather: try await checkAllGather(communicator, &recorder)
        case .reduceScatter: try await checkReduceScatter(communicator, &recorder)
        case .broadcastFromEveryRoot: try await checkBroadcast(communicator, &recorder)
        case .allGatherBytes: try await checkAllGatherBytes(communicator, &recorder)
        case .barrierOrdering: try await checkBarrierOrdering(communicator, &recorder)
        case .rejectsInvalidArguments: try await checkInvalidArguments(communicator, &recorder)
        case .detectsMismatchedCounts: try await checkMismatchedCounts(communicator, &recorder)
        }
    }

    private static let counts = [0, 1, 7, 1000, 65_537]

    private static func checkIdentity(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        recorder.currentCheck = "rank and worldSize"
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            recorder.fail("rank and worldSize", expected: "0 ≤ rank < worldSize",
                          actual: "rank \(rank) of \(worldSize)")
            return
        }
        let ranks = try await gather([Int64(rank)], communicator, "allGather of ranks", &recorder)
        recorder.compare(ranks, (0..<worldSize).map(Int64.init), "allGather of each rank's own rank")
    }

    private static func checkAllReduce(
        _ operation: ReduceOperation, _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        try await checkAllReduce(Float.self, operation, communicator, &recorder)
        try await checkAllReduce(Double.self, operation, communicator, &recorder)
        try await checkAllReduce(Int64.self, operation, communicator, &recorder)
        try await checkAllReduce(UInt8.self, operation, communicator, &recorder)
    }

    private static func checkAllReduce<Scalar: ConformanceSample>(
        _ type: Scalar.Type, _ operation: ReduceOperation, _ communicator: any Communicator,
        _ recorder: inout Recorder
    ) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let samples = Samples<Scalar>(salt: 1, worldSize: worldSize)
        for count in counts {
            let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count)
            defer { buffer.deallocate() }
            _ = buffer.initialize(from: samples.values(rank: rank, count: count))
            let expected = samples.reduced(operation, count: count)
            recorder.currentCheck = "allReduce(.\(operation)) of \(count) \(Scalar.self)"
            try await communicator.allReduce(buffer, operation)
            recorder.compare(Array(buffer), expected, recorder.currentCheck)
        }
    }

    private static func checkAgreement(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        let (rank, worldSize, count) = (communicator.rank, communicator.worldSize, 16_411)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        var exact = [Double](repeating: 0, count: count)
        var magnitude = [Double](repeating: 0, count: count)
        for peer in 0..<worldSize {
            var random = PhiloxRandom(seed: 2_024, stream: UInt64(peer))
            for i in 0..<count {
                let value = random.nextUniform() * 2 - 1
                if peer == rank { (buffer.baseAddress! + i).initialize(to: value) }
                exact[i] += Double(value)
                magnitude[i] += Double(abs(value))
            }
        }
        recorder.currentCheck = "allReduce(.sum) of \(count) random Float"
        try await communicator.allReduce(buffer, .sum)
        if let i = (0..<count).first(where: { abs(Double(buffer[$0]) - exact[$0]) > magnitude[$0] * 1e-6 }) {
            recorder.fail(recorder.currentCheck, index: i, expected: "\(exact[i]) ± \(magnitude[i] * 1e-6)",
                          actual: "\(buffer[i])")
        }
        let everyRank = try await gather(Array(buffer), communicator, "allGather of the sums", &recorder)
        for peer in 0..<worldSize {
            let theirs = everyRank[(peer * count)..<((peer + 1) * count)]
            if let i = (0..<count).first(where: { theirs[peer * count + $0].bitPattern != buffer[$0].bitPattern }) {
                recorder.fail("allReduce(.sum) of random Float, compared with rank \(peer)", index: i,
                              expected: "the same bits as here (\(buffer[i]))", actual: "\(theirs[peer * count + i])")
            }
        }
    }

    private static func checkAllGather(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        try await checkAllGather(Float.self, communicator, &recorder)
        try await checkAllGather(Double.self, communicator, &recorder)
        try await checkAllGather(Int64.self, communicator, &recorder)
        try await checkAllGather(UInt8.self, communicator, &recorder)
    }

    private static func checkAllGather<Scalar: ConformanceSample>(
        _ type: Scalar.Type, _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let samples = Samples<Scalar>(salt: 2, worldSize: worldSize)
        for count in counts {
            let mine = samples.values(rank: rank, count: count)
            let expected = (0..<worldSize).flatMap { samples.values(rank: $0, count: count) }
            recorder.currentCheck = "allGather of \(count) \(Scalar.self)"
            let actual = try await gather(mine, communicator, recorder.currentCheck, &recorder)
            recorder.compare(actual, expected, recorder.currentCheck)
        }
    }

    private static func checkReduceScatter(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        for operation in ReduceOperation.allCases {
            try await checkReduceScatter(Float.self, operation, communicator, &recorder)
            try await checkReduceScatter(Double.self, operation, communicator, &recorder)
            try await checkReduceScatter(Int64.self, operation, communicator, &recorder)
        }
        try await checkReduceScatter(UInt8.self, .max, communicator, &recorder)
    }

    private static func checkReduceScatter<Scalar: ConformanceSample>(
        _ type: Scalar.Type, _ operation: ReduceOperation, _ communicator: any Communicator,
        _ recorder: inout Recorder
    ) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let samples = Samples<Scalar>(salt: 3, worldSize: worldSize)
        for count in [0, 1, 5, 4_099] {
            let send = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count * worldSize)
            let receive = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count)
            defer { send.deallocate(); receive.deallocate() }
            _ = send.initialize(from: samples.values(rank: rank, count: count * worldSize))
            receive.initialize(repeating: .zero)
            let expected = samples.reduced(operation, count: count, from: rank * count)
            recorder.currentCheck = "reduceScatter(.\(operation)) of \(count) \(Scalar.self) per rank"
            try await communicator.reduceScatter(UnsafeBufferPointer(send), into: receive, operation)
            recorder.compare(Array(receive), expected, recorder.currentCheck)
        }
    }

    private static func checkBroadcast(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        for root in 0..<communicator.worldSize {
            try await checkBroadcast(Float.self, root: root, communicator, &recorder)
            try await checkBroadcast(Double.self, root: root, communicator, &recorder)
            try await checkBroadcast(Int64.self, root: root, communicator, &recorder)
            try await checkBroadcast(UInt8.self, root: root, communicator, &recorder)
        }
    }

    private static func checkBroadcast<Scalar: ConformanceSample>(
        _ type: Scalar.Type, root: Int, _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let samples = Samples<Scalar>(salt: 4 + root, worldSize: worldSize)
        for count in [0, 1, 1000, 65_537] {
            let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count)
            defer { buffer.deallocate() }
            _ = buffer.initialize(from: samples.values(rank: rank, count: count))
            let expected = samples.values(rank: root, count: count)
            recorder.currentCheck = "broadcast(root: \(root)) of \(count) \(Scalar.self)"
            try await communicator.broadcast(buffer, root: root)
            recorder.compare(Array(buffer), expected, recorder.currentCheck)
        }
    }

    private static func checkAllGatherBytes(_ communicator: any Communicator, _ recorder: inout Recorder) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let scenarios: [(name: String, size: (Int) -> Int)] = [
            ("unequal sizes, rank 0 empty", { $0 * 37 }),
            ("all empty", { _ in 0 }),
            ("equal sizes", { _ in 16 }),
            ("only the last rank non-empty", { $0 == worldSize - 1 ? 100_003 : 0 }),
        ]
        for (name, size) in scenarios {
            func blob(_ peer: Int) -> [UInt8] { (0..<size(peer)).map { UInt8(truncatingIfNeeded: peer * 31 + $0 * 7) } }
            recorder.currentCheck = "allGatherBytes (\(name))"
            let actual = try await communicator.allGatherBytes(blob(rank))
            let expected = (0..<worldSize).map(blob)
            guard actual.count == worldSize else {
                recorder.fail(recorder.currentCheck, expected: "\(worldSize) blobs", actual: "\(actual.count) blobs")
                continue
            }
            for peer in 0..<worldSize where actual[peer] != expected[peer] {
                let common = min(actual[peer].count, expected[peer].count)
                let index = (0..<common).first { actual[peer][$0] != expected[peer][$0] }
                recorder.fail("\(recorder.currentCheck), blob of rank \(peer)", index: index,
                              expected: "\(expected[peer].count) bytes", actual: "\(actual[peer].count) bytes"
                                  + (index.map { ", byte \(actual[peer][$0]) ≠ \(expected[peer][$0])" } ?? ""))
            }
        }
    }

    /// A late rank sleeps before entering the barrier; the others must wait for it (at least half its delay,
    /// which leaves room for scheduling noise between the ranks' exits from the preceding barrier).
    ///
    /// A waiting rank that is itself descheduled just before it enters sees a short wait through no fault of the
    /// barrier, so each late rank gets three rounds and the law fails only when a rank waited too little in all
    /// of them — a barrier that does not wait fails every round. Every rank runs every round (lockstep).
    private static func checkBarrierOrdering(
        _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        let (rank, worldSize) = (communicator.rank, communicator.worldSize)
        let delay = Duration.milliseconds(60)
        let lateRanks = worldSize == 1 ? [0] : [worldSize - 1, 0]
        for late in lateRanks {
            recorder.currentCheck = "barrier() with rank \(late) entering \(delay) late"
            var longestWait = Duration.zero
            for _ in 0..<3 {
                try await communicator.barrier()
                if rank == late { try await Task.sleep(for: delay) }
                let clock = ContinuousClock()
                let entered = clock.now
                try await communicator.barrier()
                longestWait = max(longestWait, clock.now - entered)
            }
            if rank != late, longestWait < delay / 2 {
                recorder.fail(recorder.currentCheck, expected: "at least \(delay / 2) in barrier() in one of 3 rounds",
                              actual: "\(longestWait) at most")
            }
        }
    }

    private static func checkInvalidArguments(
        _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        let worldSize = communicator.worldSize
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4 * worldSize + 1)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0)
        let calls: [(String, (any Communicator) async throws -> Void)] = [
            ("broadcast(root: worldSize)", { try await $0.broadcast(buffer, root: worldSize) }),
            ("broadcast(root: -1)", { try await $0.broadcast(buffer, root: -1) }),
            ("allGather into a receive buffer one too long", {
                try await $0.allGather(UnsafeBufferPointer(rebasing: buffer[0..<4]),
                                       into: UnsafeMutableBufferPointer(rebasing: buffer[0..<(4 * worldSize + 1)]))
            }),
            ("reduceScatter of a send buffer one too long", {
                try await $0.reduceScatter(UnsafeBufferPointer(rebasing: buffer[0..<(4 * worldSize + 1)]),
                                           into: UnsafeMutableBufferPointer(rebasing: buffer[0..<4]), .sum)
            }),
        ]
        for (name, call) in calls {
            recorder.currentCheck = name
            do {
                try await call(communicator)
                recorder.fail(name, expected: "CommunicatorError(.invalidArgument)", actual: "success")
            } catch let error as CommunicatorError where error.code == .invalidArgument {
                continue
            } catch {
                recorder.fail(name, expected: "CommunicatorError(.invalidArgument)", actual: "\(error)")
            }
        }
        recorder.currentCheck = "barrier() after rejected calls"
        try await communicator.barrier()
    }

    private static func checkMismatchedCounts(
        _ communicator: any Communicator, _ recorder: inout Recorder
    ) async throws {
        guard communicator.worldSize > 1 else { return }
        let count = communicator.rank == 0 ? 3 : 4
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1)
        let name = "allReduce(.sum) of \(count) Float where rank 0 passes 3 and the others 4"
        recorder.currentCheck = name
        do {
            try await communicator.allReduce(buffer, .sum)
            recorder.fail(name, expected: "CommunicatorError(.mismatchedCollective)", actual: "success")
        } catch let error as CommunicatorError where error.code == .mismatchedCollective {
            return
        } catch {
            recorder.fail(name, expected: "CommunicatorError(.mismatchedCollective)", actual: "\(error)")
        }
    }
}
