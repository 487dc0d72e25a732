import CairnCore

/// A 64-bit fingerprint of a model's keys, shapes, trainability and value bits, compared across ranks when an
/// `fsdp2` runtime is made: each rank copies its shard from its own copy of the model, so copies that differ
/// would silently assemble a model nobody initialized.
///
/// One pass over the values (four independent multiply-xor lanes, so it runs near memory speed) and one
/// all-reduce of two integers: the maximum of the fingerprint and of its bitwise complement, which equal this
/// rank's values on every rank exactly when all fingerprints agree.
enum ReplicaFingerprint {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private static let offset: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The fingerprint of `parameters` (in the given order).
    static func of(_ parameters: [any ModelParameter]) -> UInt64 {
        var hash = offset
        func mix(_ value: UInt64) { hash = (hash ^ value) &* prime }
        for parameter in parameters {
            for byte in parameter.key.rawValue.utf8 { mix(UInt64(byte)) }
            mix(UInt64(parameter.shape.count))
            for dimension in parameter.shape { mix(UInt64(truncatingIfNeeded: dimension)) }
            mix(parameter.isTrainable ? 1 : 0)
            mix(valueHash(parameter.values))
        }
        return hash
    }

    /// Throws unless every rank's fingerprint equals this rank's.
    /// - Throws: ``FSDPError`` `.divergentReplicas`; ``CommunicatorError`` from the all-reduce.
    /// > Important: a collective: every rank calls it.
    static func check(_ parameters: [any ModelParameter], communicator: any Communicator) async throws {
        let fingerprint = Int64(bitPattern: of(parameters))
        let extremes = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 2)
        defer { extremes.deallocate() }
        extremes[0] = fingerprint
        extremes[1] = ~fingerprint
        try await communicator.allReduce(extremes, .max)
        guard extremes[0] == fingerprint, extremes[1] == ~fingerprint else {
            throw FSDPError(
                .divergentReplicas, rank: communicator.rank,
                "the ranks' models differ in keys, shapes or initial values; fsdp2 takes each rank's shard from that "
                    + "rank's own copy, so every rank must build the model from the same seed or the same weights")
        }
    }

    private static func valueHash(_ values: UnsafeMutableBufferPointer<Float>) -> UInt64 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (offset, offset ^ 1, offset ^ 2, offset ^ 3)
        let whole = values.count / 4 * 4
        var index = 0
        while index < whole {
            lanes.0 = (lanes.0 ^ UInt64(values[index].bitPattern)) &* prime
            lanes.1 = (lanes.1 ^ UInt64(values[index + 1].bitPattern)) &* prime
            lanes.2 = (lanes.2 ^ UInt64(values[index + 2].bitPattern)) &* prime
            lanes.3 = (lanes.3 ^ UInt64(values[index + 3].bitPattern)) &* prime
            index += 4
        }
        while index < values.count {
            lanes.0 = (lanes.0 ^ UInt64(values[index].bitPattern)) &* prime
            index += 1
        }
        return ((lanes.0 &* prime ^ lanes.1) &* prime ^ lanes.2) &* prime ^ lanes.3
    }
}
