import CairnCore
internal import CMPI
import Synchronization

/// What a rank says it is calling: compared across ranks before each collective when `validatesMatching` is on.
struct CollectiveSignature {
    /// The collectives, numbered for the comparison.
    enum Kind: Int64, CaseIterable {
        case allReduce = 1, allGather, reduceScatter, broadcast, barrier, allGatherBytes

        var name: String {
            switch self {
            case .allReduce: "allReduce"
            case .allGather: "allGather"
            case .reduceScatter: "reduceScatter"
            case .broadcast: "broadcast"
            case .barrier: "barrier"
            case .allGatherBytes: "allGatherBytes"
            }
        }
    }

    var kind: Kind
    var scalarType: CollectiveScalarType?
    /// The element count that must match (`-1` when counts may differ, as in `allGatherBytes`).
    var count: Int
    /// The reduce operation's code or the broadcast root.
    var detail: Int64

    init(_ kind: Kind, _ scalarType: CollectiveScalarType?, count: Int, detail: Int64) {
        self.kind = kind
        self.scalarType = scalarType
        self.count = count
        self.detail = detail
    }

    var fields: [Int64] { [kind.rawValue, scalarType?.matchingCode ?? 0, Int64(count), detail] }
}

extension MPICommunicator {
    /// Runs one collective: refuses if the communicator failed, waits its turn, checks matching, then runs `body`
    /// with a poller and the deadline. A timeout or transport error fails the communicator for good.
    func perform(
        _ signature: CollectiveSignature,
        _ body: (RequestPoller, ContinuousClock.Instant?) async throws -> Void
    ) async throws {
        try throwIfFailed()
        await queue.acquire()
        defer { queue.release() }
        try throwIfFailed()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let poller = RequestPoller(environment: environment, rank: rank, worldSize: worldSize)
        do {
            if validatesMatching, worldSize > 1 {
                try await checkMatching(signature, poller: poller, deadline: deadline)
            }
            try await body(poller, deadline)
        } catch let error as CommunicatorError where error.code != .mismatchedCollective {
            failure.withLock { failure in
                if failure == nil { failure = error }
            }
            throw error
        }
    }

    // MARK: - Private helpers

    private func throwIfFailed() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// All-reduces `[fields, -fields]` with `MPI_MAX`: every rank learns each field's maximum and minimum, so all
    /// ranks agree whether they match and all throw (or none does).
    private func checkMatching(
        _ signature: CollectiveSignature, poller: RequestPoller, deadline: ContinuousClock.Instant?
    ) async throws {
        let fields = signature.fields
        let values = UnsafeMutableBufferPointer<Int64>.allocate(capacity: fields.count * 2)
        for (index, field) in fields.enumerated() {
            values[index] = field
            values[fields.count + index] = -field
        }
        let handle = communicator.value
        try await poller.run("MPI_Iallreduce", for: signature.kind.name, deadline: deadline) { request in
            MPI_Iallreduce(cairn_mpi_in_place(), values.baseAddress, Int32(values.count), cairn_mpi_int64(),
                           cairn_mpi_max(), handle, request)
        }  // on a throw, `values` is leaked: see RequestPoller
        defer { values.deallocate() }
        let largest = Array(values[0..<fields.count])
        let smallest = values[fields.count...].map { -$0 }
        guard largest != smallest else { return }
        throw CommunicatorError(
            .mismatchedCollective, rank: rank, collective: signature.kind.name, worldSize: worldSize,
            "ranks called mismatched collectives: " + describeMismatch(smallest: smallest, largest: largest)
                + "; this rank called \(describe(signature))")
    }

    private func describeMismatch(smallest: [Int64], largest: [Int64]) -> String {
        func kindName(_ code: Int64) -> String { CollectiveSignature.Kind(rawValue: code)?.name ?? "#\(code)" }
        func typeName(_ code: Int64) -> String {
            [CollectiveScalarType.float32, .float64, .int64, .uint8].first { $0.matchingCode == code }?.rawValue
                ?? "none"
        }
        var differences: [String] = []
        if smallest[0] != largest[0] {
            differences.append("collectives differ (\(kindName(smallest[0])) vs \(kindName(largest[0])))")
        }
        if smallest[1] != largest[1] {
            differences.append("element types differ (\(typeName(smallest[1])) vs \(typeName(largest[1])))")
        }
        if smallest[2] != largest[2] {
            differences.append("counts differ (smallest \(smallest[2]), largest \(largest[2]))")
        }
        if smallest[3] != largest[3] {
            differences.append("operations or roots differ (codes \(smallest[3]) to \(largest[3]))")
        }
        return differences.joined(separator: ", ")
    }

    private func describe(_ signature: CollectiveSignature) -> String {
        let type = signature.scalarType.map { " of \($0.rawValue)" } ?? ""
        let count = signature.count >= 0 ? " with \(signature.count) elements" : ""
        return signature.kind.name + type + count
    }
}
