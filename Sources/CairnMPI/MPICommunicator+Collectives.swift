public import CairnCore
internal import CMPI

extension MPICommunicator {
    // MARK: - Communicator

    /// Replaces `buffer` on every rank by the element-wise reduction of all ranks' buffers (`MPI_Iallreduce`
    /// in place, in chunks of at most ``maximumElementsPerCall`` elements).
    /// - Throws: ``CommunicatorError`` `.mismatchedCollective` when ranks disagree (with matching checks),
    ///   `.timedOut` past the timeout, `.peerFailed` or `.transport` when MPI reports an error; after the
    ///   last three, every later collective rethrows the same error.
    public func allReduce<Scalar: CollectiveScalar>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReduceOperation
    ) async throws {
        let signature = CollectiveSignature(
            .allReduce, Scalar.collectiveType, count: buffer.count, detail: operation.matchingCode)
        try await perform(signature) { poller, deadline in
            guard let base = buffer.baseAddress else { return }
            let (datatype, handle) = (Scalar.collectiveType.mpiDatatype, communicator.value)
            for chunk in chunks(of: buffer.count, size: maximumElementsPerCall) {
                try await poller.run("MPI_Iallreduce", for: "allReduce", deadline: deadline) { request in
                    MPI_Iallreduce(cairn_mpi_in_place(), base + chunk.lowerBound, Int32(chunk.count), datatype,
                                   operation.mpiOperation, handle, request)
                }
            }
        }
    }

    /// Writes every rank's `send` into `receive`, rank 0's first (`MPI_Iallgather`; staged in chunks when
    /// `send` exceeds ``maximumElementsPerCall`` elements).
    /// - Throws: ``CommunicatorError`` `.invalidArgument` when the buffer sizes do not fit the world size (before
    ///   any communication, so the communicator stays usable), `.mismatchedCollective` when ranks disagree (with
    ///   matching checks), `.timedOut`, `.peerFailed` or `.transport` as for ``allReduce(_:_:)``.
    public func allGather<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>
    ) async throws {
        try checkArgument(receive.count == send.count * worldSize, "allGather",
                          "receive holds \(receive.count) elements, expected \(send.count) × \(worldSize)")
        let signature = CollectiveSignature(.allGather, Scalar.collectiveType, count: send.count, detail: 0)
        try await perform(signature) { poller, deadline in
            guard let source = send.baseAddress, let destination = receive.baseAddress else { return }
            let (datatype, handle, count) = (Scalar.collectiveType.mpiDatatype, communicator.value, send.count)
            if count <= maximumElementsPerCall {
                try await poller.run("MPI_Iallgather", for: "allGather", deadline: deadline) { request in
                    MPI_Iallgather(source, Int32(count), datatype, destination, Int32(count), datatype, handle, request)
                }
                return
            }
            // Chunk k of every rank lands at `peer * count + offset`: gather into a staging buffer, then place.
            let chunkSize = min(maximumElementsPerCall, Self.stagingElements)
            let staging = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: chunkSize * worldSize)
            var isComplete = false
            defer { if isComplete { staging.deallocate() } }  // else leaked: see RequestPoller
            for chunk in chunks(of: count, size: chunkSize) {
                let length = chunk.count
                try await poller.run("MPI_Iallgather", for: "allGather", deadline: deadline) { request in
                    MPI_Iallgather(source + chunk.lowerBound, Int32(length), datatype, staging.baseAddress,
                                   Int32(length), datatype, handle, request)
                }
                for peer in 0..<worldSize {
                    (destination + peer * count + chunk.lowerBound)
                        .update(from: staging.baseAddress! + peer * length, count: length)
                }
            }
            isComplete = true
        }
    }

    /// Reduces `send` across ranks and writes chunk `rank` of the result to `receive`
    /// (`MPI_Ireduce_scatter_block`; staged in chunks when `receive` exceeds ``maximumElementsPerCall``).
    /// - Throws: ``CommunicatorError`` `.invalidArgument` when the buffer sizes do not fit the world size (before
    ///   any communication, so the communicator stays usable), `.mismatchedCollective` when ranks disagree (with
    ///   matching checks), `.timedOut`, `.peerFailed` or `.transport` as for ``allReduce(_:_:)``.
    public func reduceScatter<Scalar: CollectiveScalar>(
        _ send: UnsafeBufferPointer<Scalar>, into receive: UnsafeMutableBufferPointer<Scalar>,
        _ operation: ReduceOperation
    ) async throws {
        try checkArgument(send.count == receive.count * worldSize, "reduceScatter",
                          "send holds \(send.count) elements, expected \(receive.count) × \(worldSize)")
        let signature = CollectiveSignature(
            .reduceScatter, Scalar.collectiveType, count: receive.count, detail: operation.matchingCode)
        try await perform(signature) { poller, deadline in
            guard let source = send.baseAddress, let destination = receive.baseAddress else { return }
            let (datatype, handle, count) = (Scalar.collectiveType.mpiDatatype, communicator.value, receive.count)
            if count <= maximumElementsPerCall {
                try await poller.run("MPI_Ireduce_scatter_block", for: "reduceScatter", deadline: deadline) { request in
                    MPI_Ireduce_scatter_block(source, destination, Int32(count), datatype, operation.mpiOperation,
                                              handle, request)
                }
                return
            }
            // Chunk k of every destination rank sits at `peer * count + offset`: pack them, then reduce-scatter.
            let chunkSize = min(maximumElementsPerCall, Self.stagingElements)
            let staging = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: chunkSize * worldSize)
            var isComplete = false
            defer { if isComplete { staging.deallocate() } }  // else leaked: see RequestPoller
            for chunk in chunks(of: count, size: chunkSize) {
                let length = chunk.count
                for peer in 0..<worldSize {
                    (staging.baseAddress! + peer * length)
                        .update(from: source + peer * count + chunk.lowerBound, count: length)
                }
                try await poller.run("MPI_Ireduce_scatter_block", for: "reduceScatter", deadline: deadline) { request in
                    MPI_Ireduce_scatter_block(staging.baseAddress, destination + chunk.lowerBound, Int32(length),
                                              datatype, operation.mpiOperation, handle, request)
                }
            }
            isComplete = true
        }
    }

    /// Copies `root`'s `buffer` into every other rank's `buffer` (`MPI_Ibcast`, chunked).
    /// - Throws: ``CommunicatorError`` `.invalidArgument` for a root outside `0..<worldSize`, otherwise as
    ///   ``allReduce(_:_:)``.
    public func broadcast<Scalar: CollectiveScalar>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int
    ) async throws {
        try checkArgument((0..<worldSize).contains(root), "broadcast", "root \(root) outside 0..<\(worldSize)")
        let signature = CollectiveSignature(.broadcast, Scalar.collectiveType, count: buffer.count, detail: Int64(root))
        try await perform(signature) { poller, deadline in
            guard let base = buffer.baseAddress else { return }
            let (datatype, handle) = (Scalar.collectiveType.mpiDatatype, communicator.value)
            for chunk in chunks(of: buffer.count, size: maximumElementsPerCall) {
                try await poller.run("MPI_Ibcast", for: "broadcast", deadline: deadline) { request in
                    MPI_Ibcast(base + chunk.lowerBound, Int32(chunk.count), datatype, Int32(root), handle, request)
                }
            }
        }
    }

    /// Returns when every rank has called it (`MPI_Ibarrier`).
    /// - Throws: ``CommunicatorError`` `.mismatchedCollective` when ranks disagree (with matching checks),
    ///   `.timedOut` past the timeout, `.peerFailed` or `.transport` when MPI reports an error; after the
    ///   last three, every later collective rethrows the same error.
    public func barrier() async throws {
        try await perform(CollectiveSignature(.barrier, nil, count: 0, detail: 0)) { poller, deadline in
            let handle = communicator.value
            try await poller.run("MPI_Ibarrier", for: "barrier", deadline: deadline) { request in
                MPI_Ibarrier(handle, request)
            }
        }
    }

    /// Gathers one byte blob from every rank onto every rank, in rank order.
    ///
    /// All-gathers the sizes, then the bytes with `MPI_Iallgatherv`, in rounds of at most
    /// `maximumElementsPerCall / worldSize` bytes per rank so counts and displacements fit MPI's `Int32`.
    /// - Throws: ``CommunicatorError`` `.mismatchedCollective` when ranks disagree (with matching checks),
    ///   `.timedOut` past the timeout, `.peerFailed` or `.transport` when MPI reports an error; after the
    ///   last three, every later collective rethrows the same error.
    public func allGatherBytes(_ bytes: [UInt8]) async throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        try await perform(CollectiveSignature(.allGatherBytes, .uint8, count: -1, detail: 0)) { poller, deadline in
            let sizes = try await gatherSizes(bytes.count, poller: poller, deadline: deadline)
            result = sizes.map { size in
                var blob: [UInt8] = []
                blob.reserveCapacity(size)
                return blob
            }
            let roundSize = max(1, maximumElementsPerCall / worldSize)
            let rounds = (sizes.max()! + roundSize - 1) / roundSize
            guard rounds > 0 else { return }
            let own = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
            _ = own.initialize(from: bytes)
            let counts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: worldSize)
            let displacements = UnsafeMutableBufferPointer<Int32>.allocate(capacity: worldSize)
            let stagingSize = min(sizes.reduce(0, +), roundSize * worldSize)
            let staging = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: stagingSize)
            var isComplete = false
            defer {
                // Leaked unless complete: see RequestPoller.
                if isComplete {
                    own.deallocate()
                    counts.deallocate()
                    displacements.deallocate()
                    staging.deallocate()
                }
            }
            let handle = communicator.value
            for round in 0..<rounds {
                var total = 0
                for peer in 0..<worldSize {
                    let count = min(max(sizes[peer] - round * roundSize, 0), roundSize)
                    counts[peer] = Int32(count)
                    displacements[peer] = Int32(total)
                    total += count
                }
                let sendOffset = min(round * roundSize, bytes.count)
                try await poller.run("MPI_Iallgatherv", for: "allGatherBytes", deadline: deadline) { request in
                    MPI_Iallgatherv(own.baseAddress! + sendOffset, counts[rank], cairn_mpi_byte(), staging.baseAddress,
                                    counts.baseAddress, displacements.baseAddress, cairn_mpi_byte(), handle, request)
                }
                for peer in 0..<worldSize where counts[peer] > 0 {
                    let start = Int(displacements[peer])
                    result[peer].append(contentsOf: staging[start..<(start + Int(counts[peer]))])
                }
            }
            isComplete = true
        }
        return result
    }

    // MARK: - Private helpers

    /// The largest chunk (per rank) a staged all-gather or reduce-scatter copies at once.
    private static var stagingElements: Int { 1 << 22 }

    private func gatherSizes(
        _ size: Int, poller: RequestPoller, deadline: ContinuousClock.Instant?
    ) async throws -> [Int] {
        let sizes = UnsafeMutableBufferPointer<Int64>.allocate(capacity: worldSize)
        sizes.initialize(repeating: 0)
        sizes[rank] = Int64(size)
        let handle = communicator.value
        try await poller.run("MPI_Iallgather", for: "allGatherBytes", deadline: deadline) { request in
            MPI_Iallgather(cairn_mpi_in_place(), 0, cairn_mpi_int64(), sizes.baseAddress, 1, cairn_mpi_int64(),
                           handle, request)
        }  // on a throw, `sizes` is leaked: see RequestPoller
        defer { sizes.deallocate() }
        return sizes.map { Int($0) }
    }

    private func chunks(of count: Int, size: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    private func checkArgument(_ condition: Bool, _ collective: String, _ message: String) throws {
        guard condition else {
            throw CommunicatorError(.invalidArgument, rank: rank, collective: collective, worldSize: worldSize, message)
        }
    }
}
