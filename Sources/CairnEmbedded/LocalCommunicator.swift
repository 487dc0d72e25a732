public import CairnCore

/// One rank's handle on a ``LocalRankGroup``.
public struct LocalCommunicator: Communicator {
    /// The group.
    public let group: LocalRankGroup
    public let rank: Int
    public var worldSize: Int { group.worldSize }

    public func allReduce<Scalar: CollectiveScalar>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReduceOperation
    ) async throws {
        let all = try await arrive("allReduce", Scalar.self, count: buffer.count, destination: buffer.baseAddress)
        let buffers = all.map { UnsafeMutableRawPointer($0.destination!) }
        SliceReduction.reduce(Scalar.collectiveType, operation, sources: buffers, destinations: buffers,
                              range: slice(of: buffer.count))
        try await depart("allReduce")
    }

    public func allGather<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>
    ) async throws {
        try check(receive.count == send.count * worldSize, "allGather",
                  "receive holds \(receive.count) elements, expected \(send.count) × \(worldSize)")
        let all = try await arrive("allGather", Scalar.self, count: send.count, source: send.baseAddress)
        for (peer, contribution) in all.enumerated() where send.count > 0 {
            let source = contribution.source!.assumingMemoryBound(to: Scalar.self)
            (receive.baseAddress! + peer * send.count).update(from: source, count: send.count)
        }
        try await depart("allGather")
    }

    public func reduceScatter<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>,
        _ operation: ReduceOperation
    ) async throws {
        try check(send.count == receive.count * worldSize, "reduceScatter",
                  "send holds \(send.count) elements, expected \(receive.count) × \(worldSize)")
        let all = try await arrive("reduceScatter", Scalar.self, count: send.count, source: send.baseAddress)
        if let destination = receive.baseAddress, receive.count > 0 {
            let stride = MemoryLayout<Scalar>.stride
            let offset = rank * receive.count * stride
            let sources = all.map { UnsafeMutableRawPointer(mutating: $0.source!) + offset }
            SliceReduction.reduce(Scalar.collectiveType, operation, sources: sources,
                                  destinations: [UnsafeMutableRawPointer(destination)], range: 0..<receive.count)
        }
        try await depart("reduceScatter")
    }

    public func broadcast<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) async throws {
        try check((0..<worldSize).contains(root), "broadcast", "root \(root) outside 0..<\(worldSize)")
        var contribution = Contribution(
            collective: "broadcast", scalarType: Scalar.collectiveType, count: buffer.count,
            source: UnsafeRawPointer(buffer.baseAddress), destination: nil)
        contribution.root = root
        let all = try await group.rendezvous.arrive(rank: rank, with: contribution)
        if rank != root, buffer.count > 0 {
            buffer.baseAddress!.update(from: all[root].source!.assumingMemoryBound(to: Scalar.self), count: buffer.count)
        }
        try await depart("broadcast")
    }

    public func barrier() async throws {
        _ = try await group.rendezvous.arrive(rank: rank, with: .marker("barrier"))
    }

    public func allGatherBytes(_ bytes: [UInt8]) async throws -> [[UInt8]] {
        var contribution = Contribution.marker("allGatherBytes")
        contribution.bytes = bytes
        return try await group.rendezvous.arrive(rank: rank, with: contribution).map(\.bytes)
    }

    // MARK: - Private helpers

    private func arrive<Scalar: CollectiveScalar>(
        _ collective: String, _ type: Scalar.Type, count: Int, source: UnsafePointer<Scalar>? = nil,
        destination: UnsafeMutablePointer<Scalar>? = nil
    ) async throws -> [Contribution] {
        try await group.rendezvous.arrive(
            rank: rank,
            with: Contribution(collective: collective, scalarType: Scalar.collectiveType, count: count,
                               source: source.map(UnsafeRawPointer.init), destination: destination.map(UnsafeMutableRawPointer.init)))
    }

    /// The second meeting of a collective: no rank returns (and reuses its buffers) while a peer still reads them.
    private func depart(_ collective: String) async throws {
        _ = try await group.rendezvous.arrive(rank: rank, with: .marker(collective + ".done"))
    }

    /// This rank's share of `count` elements: a fixed split into `worldSize` near-equal runs.
    private func slice(of count: Int) -> Range<Int> {
        let base = count / worldSize
        let extra = count % worldSize
        let lower = rank * base + min(rank, extra)
        return lower..<(lower + base + (rank < extra ? 1 : 0))
    }

    private func check(_ condition: Bool, _ collective: String, _ message: String) throws {
        guard condition else {
            throw CommunicatorError(.invalidArgument, rank: rank, collective: collective, worldSize: worldSize, message)
        }
    }
}
