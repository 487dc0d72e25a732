import CairnConformance
import CairnCore
import CairnEmbedded
import Testing

/// The kit catches broken communicators, and says where: law, rank, world size, element, expected vs actual.
@Suite struct CommunicatorConformanceTests {
    @Test func aMaximumThatSumsBreaksOnlyTheMaximumLaws() async throws {
        let failures = try await failures(worldSize: 2, fault: .maximumSums, laws: [.allReduceSum, .allReduceMax])
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { $0.law == .allReduceMax && $0.worldSize == 2 })
        #expect(Set(failures.map(\.rank)) == [0, 1])
        let first = try #require(failures.first)
        #expect(first.check.contains("allReduce(.max)"))
        #expect(first.index != nil)
        #expect(first.expected != first.actual)
        #expect(first.description.contains("CommunicatorConformance.allReduceMax failed on rank"))
    }

    @Test func aBroadcastThatIgnoresTheRootBreaksTheBroadcastLaw() async throws {
        let failures = try await failures(worldSize: 3, fault: .broadcastFromRankZero, laws: [.broadcastFromEveryRoot])
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { $0.law == .broadcastFromEveryRoot })
        #expect(failures.contains { $0.check.contains("root: 1") })
        #expect(!failures.contains { $0.check.contains("root: 0") })
    }

    @Test func anEmptyBlobDroppedByAllGatherBytesIsReported() async throws {
        let failures = try await failures(worldSize: 2, fault: .dropsEmptyBlobs, laws: [.allGatherBytes])
        #expect(failures.contains { $0.law == .allGatherBytes && $0.check.contains("rank 0 empty") })
    }

    @Test func unvalidatedArgumentsAreReported() async throws {
        let failures = try await failures(worldSize: 1, fault: .acceptsAnyRoot, laws: [.rejectsInvalidArguments])
        #expect(failures.map(\.check) == ["broadcast(root: worldSize)", "broadcast(root: -1)"])
    }

    @Test func aLawThatThrowsEndsTheRun() async throws {
        let failures = try await failures(worldSize: 2, fault: .barrierThrows, laws: [.identity, .barrierOrdering,
                                                                                     .allGatherBytes])
        #expect(failures.count == 2, "one failure per rank: the first barrier throws, later laws never run")
        #expect(failures.allSatisfy { $0.law == .barrierOrdering && $0.endedTheRun && $0.actual.contains("injected") })
    }

    @Test func verifyRecordsEachFailureAsAnIssueOnTheCallersLine() async {
        let group = LocalRankGroup(worldSize: 2, timeout: .seconds(20))
        await withKnownIssue {
            await CommunicatorConformance.verify(worldSize: 2, laws: [.allGatherBytes]) { rankBody in
                try await group.run { await rankBody(FaultyCommunicator(base: $0, fault: .dropsEmptyBlobs)) }
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("CommunicatorConformance.allGatherBytes failed on rank") }
                && issue.sourceLocation?.fileID.hasSuffix("CommunicatorConformanceTests.swift") == true
        }
    }

    @Test func verifyRecordsAGroupThatThrows() async {
        await withKnownIssue {
            await CommunicatorConformance.verify(worldSize: 2) { _ in
                throw CommunicatorError(.peerFailed, rank: 1, collective: "any", worldSize: 2, "rank 1 crashed")
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("the group of 2 failed") }
        }
    }

    // MARK: - Helpers

    private func failures(
        worldSize: Int, fault: FaultyCommunicator.Fault, laws: [CommunicatorConformance.Law]
    ) async throws -> [CommunicatorConformance.Failure] {
        let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(20))
        let perRank = try await group.run { communicator in
            await CommunicatorConformance.check(FaultyCommunicator(base: communicator, fault: fault), laws: laws)
        }
        return Array(perRank.joined())
    }
}

/// A `LocalCommunicator` with one deliberate bug.
private struct FaultyCommunicator: Communicator {
    enum Fault {
        case maximumSums, broadcastFromRankZero, dropsEmptyBlobs, acceptsAnyRoot, barrierThrows
    }

    let base: LocalCommunicator
    let fault: Fault
    var rank: Int { base.rank }
    var worldSize: Int { base.worldSize }

    func allReduce<Scalar: CollectiveScalar>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReduceOperation
    ) async throws {
        try await base.allReduce(buffer, fault == .maximumSums && operation == .max ? .sum : operation)
    }

    func allGather<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>
    ) async throws {
        try await base.allGather(send, into: receive)
    }

    func reduceScatter<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>,
        _ operation: ReduceOperation
    ) async throws {
        try await base.reduceScatter(send, into: receive, operation)
    }

    func broadcast<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) async throws {
        switch fault {
        case .broadcastFromRankZero: try await base.broadcast(buffer, root: 0)
        case .acceptsAnyRoot where !(0..<worldSize).contains(root): return
        default: try await base.broadcast(buffer, root: root)
        }
    }

    func barrier() async throws {
        if fault == .barrierThrows {
            throw CommunicatorError(.transport, rank: rank, collective: "barrier", worldSize: worldSize, "injected")
        }
        try await base.barrier()
    }

    func allGatherBytes(_ bytes: [UInt8]) async throws -> [[UInt8]] {
        let all = try await base.allGatherBytes(bytes)
        return fault == .dropsEmptyBlobs ? all.filter { !$0.isEmpty } : all
    }
}
