/// The collectives by which one rank talks to the others: the only channel strategy code uses.
///
/// `CairnEmbedded.LocalRankGroup` runs every rank as a thread of one process; `CairnMPI.MPICommunicator`
/// runs each rank as an MPI process. The same strategy code, byte for byte, runs on both.
///
/// # Semantic requirements
/// Conforming types satisfy these laws, which `CommunicatorConformance` checks:
/// - **Matching calls.** Every rank of the group calls the same collectives in the same order with the same
///   element type and counts; a conformer reports a mismatch it can detect as
///   ``CommunicatorError`` `.mismatchedCollective` rather than corrupting memory.
/// - **Reference results.** Each collective's result equals the in-memory reference below on every rank.
///   ``allReduce(_:_:)`` and ``reduceScatter(_:into:_:)`` with `.sum` are deterministic for a fixed world size;
///   the embedded group sums in rank order (`((x₀ + x₁) + x₂) + …`).
/// - **Barrier ordering.** No rank returns from ``barrier()`` before every rank has entered it.
/// - **Failure, not a hang.** When a peer dies or a collective exceeds the group's timeout, the survivors throw
///   ``CommunicatorError`` (`.peerFailed`, `.timedOut`) instead of waiting forever.
///
/// Buffers are borrowed for the duration of the call only.
///
/// > Important: collectives are group operations. Every rank must call them, in the same order, or the group
/// > deadlocks (or, with a timeout, fails).
public protocol Communicator: Sendable {
    /// This rank's index, `0 ..< worldSize`.
    var rank: Int { get }
    /// The number of ranks in the group.
    var worldSize: Int { get }

    /// Replaces `buffer` on every rank by the element-wise reduction of all ranks' buffers.
    func allReduce<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReduceOperation)
        async throws

    /// Writes every rank's `send` (equal counts) into `receive`, rank 0's first: `receive.count == worldSize * send.count`.
    func allGather<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>) async throws

    /// Reduces `send` (`worldSize` equal chunks) across ranks and writes chunk `rank` of the result to `receive`.
    func reduceScatter<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>,
        _ operation: ReduceOperation) async throws

    /// Copies `root`'s `buffer` into every other rank's `buffer`.
    func broadcast<Scalar: CollectiveScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) async throws

    /// Returns when every rank has called it.
    func barrier() async throws

    /// Gathers one small byte blob (any size) from every rank onto every rank, in rank order: metadata such as
    /// a rank's checkpoint file list.
    func allGatherBytes(_ bytes: [UInt8]) async throws -> [[UInt8]]
}

/// How ``Communicator/allReduce(_:_:)`` and ``Communicator/reduceScatter(_:into:_:)`` combine values.
public enum ReduceOperation: String, Sendable, CaseIterable {
    case sum
    case max
    case min
}

/// An element type collectives carry. Cairn conforms `Float`, `Double`, `Int64` and `UInt8`.
public protocol CollectiveScalar: BitwiseCopyable, Sendable, Comparable, AdditiveArithmetic {
    /// The wire type, for transports such as MPI that need one.
    static var collectiveType: CollectiveScalarType { get }
}

/// The element types a transport must support.
public enum CollectiveScalarType: String, Sendable {
    case float32, float64, int64, uint8
}

extension Float: CollectiveScalar { public static var collectiveType: CollectiveScalarType { .float32 } }
extension Double: CollectiveScalar { public static var collectiveType: CollectiveScalarType { .float64 } }
extension Int64: CollectiveScalar { public static var collectiveType: CollectiveScalarType { .int64 } }
extension UInt8: CollectiveScalar { public static var collectiveType: CollectiveScalarType { .uint8 } }

extension ReduceOperation {
    /// Combines two values; the reference semantics every communicator must match.
    @inlinable
    public func combine<Scalar: CollectiveScalar>(_ lhs: Scalar, _ rhs: Scalar) -> Scalar {
        switch self {
        case .sum: lhs + rhs
        case .max: Swift.max(lhs, rhs)
        case .min: Swift.min(lhs, rhs)
        }
    }
}

extension Communicator {
    /// All-reduces one value.
    public func allReduce<Scalar: CollectiveScalar>(_ value: Scalar, _ operation: ReduceOperation) async throws -> Scalar {
        let cell = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: 1)
        defer { cell.deallocate() }
        cell.initialize(repeating: value)
        try await allReduce(cell, operation)
        return cell[0]
    }
}
