public import CairnCore

/// Times a durable save and a load of a state dict through the real writer, commit and reader (one rank, a
/// ``FileSystemBackend``): what `cairn bench checkpoint` reports beside ``DiskBandwidth``.
///
/// ```swift
/// let result = try await CheckpointBenchmark.run(
///     state: state, folder: "bench-out", communicator: LocalRankGroup(worldSize: 1).communicator(rank: 0))
/// ```
public enum CheckpointBenchmark {
    /// The figures of one save and load.
    public struct Result: Sendable, CustomStringConvertible {
        /// The bytes of the checkpoint's files (headers, JSON and tensors).
        public var byteCount: Int
        /// Seconds from the first write to the commit's return (digests, writes, fsyncs, manifest, rename).
        public var saveSeconds: Double
        /// Seconds to open the checkpoint and read every tensor and scalar back, digests checked.
        public var loadSeconds: Double
        /// Whether the load started from a dropped page cache.
        public var loadIsCold: Bool

        /// Save throughput, 10⁹ bytes per second.
        public var saveGigabytesPerSecond: Double { Double(byteCount) / saveSeconds / 1e9 }
        /// Load throughput, 10⁹ bytes per second.
        public var loadGigabytesPerSecond: Double { Double(byteCount) / loadSeconds / 1e9 }

        public var description: String {
            func rate(_ value: Double) -> Double { (value * 100).rounded() / 100 }
            return "checkpoint of \(byteCount / 1_000_000) MB: save \(rate(saveSeconds)) s = "
                + "\(rate(saveGigabytesPerSecond)) GB/s; load (\(loadIsCold ? "cold" : "warm")) \(rate(loadSeconds)) s = "
                + "\(rate(loadGigabytesPerSecond)) GB/s"
        }
    }

    /// Saves `state` as checkpoint `step` under `folder`, then loads it back into `state`'s layouts, timing both;
    /// the checkpoint is deleted afterwards.
    /// - Parameters:
    ///   - communicator: a group of one rank (`LocalRankGroup(worldSize: 1).communicator(rank: 0)`) for the
    ///     commit's collectives.
    ///   - dropCaches: drop the page cache before the load, so it reads from disk (needs root; see
    ///     ``DiskBandwidth/dropPageCache()``).
    ///   - verification: how the load checks what it reads.
    /// - Throws: what the writer, commit or reader throw.
    public static func run(
        state: StateDict, folder: String, communicator: any Communicator, naming: CheckpointNaming = CheckpointNaming(),
        step: Int = 1, dropCaches: Bool = true, verification: CheckpointReader.Verification = .wholePieces
    ) async throws -> Result {
        precondition(communicator.worldSize == 1, "CheckpointBenchmark: needs a group of one rank")
        let backend = FileSystemBackend(root: folder)
        let id = CheckpointID(step: step)
        let metadata = CheckpointMetadata(
            globalStep: step, epoch: 0, strategyKind: "single", configHash: "benchmark", modelFingerprint: "benchmark",
            libraryVersion: "benchmark")
        try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
        let saveStart = DiskBandwidth.monotonicSeconds()
        let contribution = try await CheckpointWriter.writeRankFiles(
            state, rank: 0, worldSize: 1, checkpoint: id, backend: backend, naming: naming)
        let manifest = try await CheckpointCommit.commit(
            contribution, failure: nil, checkpoint: id, metadata: metadata, backend: backend, communicator: communicator)
        let saveSeconds = DiskBandwidth.monotonicSeconds() - saveStart
        let isCold = dropCaches && DiskBandwidth.dropPageCache()
        let loadStart = DiskBandwidth.monotonicSeconds()
        let reader = try await CheckpointReader(backend: backend, checkpoint: id)
        let loaded = try await reader.read(into: state, rank: 0, worldSize: 1, verification: verification)
        let loadSeconds = DiskBandwidth.monotonicSeconds() - loadStart
        precondition(loaded.count == state.count, "CheckpointBenchmark: the load returned \(loaded.count) of \(state.count) values")
        try await backend.delete(id)
        return Result(byteCount: manifest.totalByteCount, saveSeconds: saveSeconds, loadSeconds: loadSeconds, loadIsCold: isCold)
    }

    /// A state dict shaped like a model and its AdamW state: for every parameter `(key, shape)`, the parameter
    /// under `model.<key>` and `exp_avg`, `exp_avg_sq` (float32) and `step` under `optimizer.state.model.<key>`,
    /// filled with deterministic values.
    public static func modelAndAdamWState(parameters: [(key: StateKey, shape: [Int])]) -> StateDict {
        var state = StateDict()
        for (index, parameter) in parameters.enumerated() {
            let model = StateNamespace.model.key.appending(parameter.key)
            let slots = StateKey("optimizer.state").appending(model)
            state[model] = .tensor(filledTensor(shape: parameter.shape, seed: index * 3))
            state[slots.appending("exp_avg")] = .tensor(filledTensor(shape: parameter.shape, seed: index * 3 + 1))
            state[slots.appending("exp_avg_sq")] = .tensor(filledTensor(shape: parameter.shape, seed: index * 3 + 2))
            state[slots.appending("step")] = .int(100)
        }
        return state
    }

    /// Pseudo-random floats in [-1, 1) (xorshift): like trained weights, nothing a disk could compress or
    /// deduplicate.
    private static func filledTensor(shape: [Int], seed: Int) -> StateTensor {
        let count = shape.reduce(1, *)
        let buffer = HostBuffer(uninitializedByteCount: count * 4)
        let floats = buffer.elements(of: Float.self)
        var state = UInt64(seed + 1) &* 0x9E37_79B9_7F4A_7C15
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            floats[index] = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
        }
        return StateTensor(layout: .replicated(shape), buffer: buffer)
    }
}
