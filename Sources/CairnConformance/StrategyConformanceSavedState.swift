import CairnCheckpoint
import CairnCore
import CairnEmbedded

/// Everything a committed checkpoint holds, gathered the way a user would see it: every tensor whole (its pieces
/// from every rank put together by `CheckpointReader`, as `cairn export` does) and every rank's scalars.
///
/// The laws compare runs through this, so a strategy is judged on what it saves and resumes, not on internals.
struct StrategyConformanceSavedState {
    /// The checkpoint's global step.
    var step: Int
    /// The world size that wrote it.
    var worldSize: Int
    /// Every tensor, whole, by absolute key.
    var tensors: [StateKey: StateTensor]
    /// Every rank's non-tensor values, by absolute key, in rank order.
    var rankScalars: [StateDict]

    /// Reads checkpoint `step` from `backend`, checking every piece's digest.
    static func read(from backend: any CheckpointBackend, step: Int) async throws -> StrategyConformanceSavedState {
        let reader = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: step))
        var target = StateDict()
        for (key, saved) in reader.manifest.tensors {
            let layout = TensorLayout(elementType: saved.elementType, globalShape: saved.shape, placement: .replicated)
            let buffer = HostBuffer(zeroedByteCount: layout.localByteCount)
            target[key] = .tensor(StateTensor(layout: layout, buffer: buffer))
        }
        let whole = try await reader.read(into: target, rank: 0, worldSize: 1, options: [.allowUnexpectedKeys],
                                          verification: .wholePieces)
        var scalars: [StateDict] = []
        for rank in 0..<reader.manifest.worldSize { scalars.append(try await reader.rankState(rank: rank)) }
        return StrategyConformanceSavedState(
            step: reader.manifest.globalStep, worldSize: reader.manifest.worldSize,
            tensors: Dictionary(uniqueKeysWithValues: whole.tensors.map { ($0.key, $0.value) }), rankScalars: scalars)
    }

    /// Every key, tensors and every rank's scalars, sorted.
    var keys: [StateKey] {
        Array(Set(tensors.keys).union(rankScalars.flatMap(\.keys))).sorted()
    }

    /// The integer scalar `key` of rank 0, if it is one.
    func integer(_ key: StateKey) -> Int64? {
        guard case .int(let value)? = rankScalars.first?[key] else { return nil }
        return value
    }

    // MARK: - Comparison

    /// One value that differs between two saved states.
    struct Difference {
        var key: StateKey
        var rank: Int?
        var expected: String
        var actual: String
    }

    /// Every key whose value is not bit-identical in `actual`, described (tensors by their largest difference).
    static func bitDifferences(
        expected: StrategyConformanceSavedState, actual: StrategyConformanceSavedState
    ) -> [Difference] {
        var differences: [Difference] = []
        for key in Set(expected.tensors.keys).union(actual.tensors.keys).sorted() {
            switch (expected.tensors[key], actual.tensors[key]) {
            case (let lhs?, let rhs?) where lhs != rhs:
                differences.append(Difference(key: key, expected: "the same tensor, bit for bit",
                                              actual: TensorComparison(expected: lhs, actual: rhs).description))
            case (nil, _?): differences.append(Difference(key: key, expected: "no such tensor", actual: "one"))
            case (_?, nil): differences.append(Difference(key: key, expected: "a tensor", actual: "none"))
            default: break
            }
        }
        guard expected.rankScalars.count == actual.rankScalars.count else {
            return differences + [Difference(key: "", expected: "\(expected.rankScalars.count) rank files",
                                             actual: "\(actual.rankScalars.count)")]
        }
        for (rank, (lhs, rhs)) in zip(expected.rankScalars, actual.rankScalars).enumerated() {
            for key in Set(lhs.keys).union(rhs.keys).sorted() where !StateSnapshot.sameBits(lhs[key], rhs[key]) {
                differences.append(Difference(key: key, rank: rank, expected: StateSnapshot.describe(lhs[key]),
                                              actual: StateSnapshot.describe(rhs[key])))
            }
        }
        return differences
    }
}

/// How far one float32 tensor is from another: the largest absolute difference, where, and the scale it is
/// judged against (the largest magnitude of the expected tensor).
struct TensorComparison: CustomStringConvertible {
    var shapesMatch: Bool
    var expectedShape: [Int]
    var actualShape: [Int]
    var maximumDifference: Double = 0
    var index = 0
    var expectedValue: Float = 0
    var actualValue: Float = 0
    var scale: Double = 0
    var differingCount = 0

    init(expected: StateTensor, actual: StateTensor) {
        expectedShape = expected.layout.globalShape
        actualShape = actual.layout.globalShape
        shapesMatch = expectedShape == actualShape && expected.layout.elementType == .float32
            && actual.layout.elementType == .float32
        guard shapesMatch else { return }
        let lhs = expected.floats
        let rhs = actual.floats
        for i in 0..<lhs.count {
            scale = max(scale, Double(abs(lhs[i])))
            if lhs[i].bitPattern != rhs[i].bitPattern { differingCount += 1 }
            let difference = Double(abs(lhs[i] - rhs[i]))
            if difference > maximumDifference || (difference.isNaN && !maximumDifference.isNaN) {
                (maximumDifference, index, expectedValue, actualValue) = (difference, i, lhs[i], rhs[i])
            }
        }
    }

    /// The largest difference relative to the expected tensor's largest magnitude (absolute when that is 0).
    var relativeDifference: Double { scale > 0 ? maximumDifference / scale : maximumDifference }

    var description: String {
        guard shapesMatch else { return "global shape \(actualShape) instead of \(expectedShape)" }
        return "\(differingCount) element(s) differ, max |Δ| = \(maximumDifference) at element \(index) "
            + "(expected \(expectedValue), got \(actualValue); largest magnitude \(scale))"
    }
}
