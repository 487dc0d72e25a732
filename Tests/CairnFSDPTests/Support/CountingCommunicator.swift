import CairnCore
import Synchronization

/// A ``Communicator`` that forwards to another and counts the collectives it carries, per kind.
struct CountingCommunicator: Communicator {
    /// The counts, shared by copies.
    final class Counts: Sendable {
        private let storage = Mutex<[String: Int]>([:])

        func record(_ collective: String) {
            storage.withLock { $0[collective, default: 0] += 1 }
        }

        subscript(_ collective: String) -> Int {
            storage.withLock { $0[collective, default: 0] }
        }
    }

    let inner: any Communicator
    let counts = Counts()

    var rank: Int { inner.rank }
    var worldSize: Int { inner.worldSize }

    func allReduce<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReduceOperation)
        async throws
    {
        counts.record("allReduce")
        try await inner.allReduce(buffer, operation)
    }

    func allGather<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>
    ) async throws {
        counts.record("allGather")
        try await inner.allGather(send, into: receive)
    }

    func reduceScatter<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>,
        _ operation: ReduceOperation
    ) async throws {
        counts.record("reduceScatter")
        try await inner.reduceScatter(send, into: receive, operation)
    }

    func broadcast<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) async throws {
        counts.record("broadcast")
        try await inner.broadcast(buffer, root: root)
    }

    func barrier() async throws {
        counts.record("barrier")
        try await inner.barrier()
    }

    func allGatherBytes(_ bytes: [UInt8]) async throws -> [[UInt8]] {
        counts.record("allGatherBytes")
        return try await inner.allGatherBytes(bytes)
    }
}
