import CairnCore

// MARK: - Sample values

/// The values each rank contributes to one check: periodic in the element index (period 41), so buffers and
/// references are tiled from one period instead of computed per element.
struct Samples<Scalar: ConformanceSample> {
    static var period: Int { 41 }

    /// `cycles[rank][k]` is rank's value at every index `i` with `i % period == k`.
    let cycles: [[Scalar]]

    init(salt: Int, worldSize: Int) {
        cycles = (0..<worldSize).map { rank in
            (0..<Self.period).map { k in
                Scalar.fromSample((k * 7 + rank * 13 + salt * 5) % Self.period - 20, worldSize: worldSize)
            }
        }
    }

    /// Rank `rank`'s values at indices `start ..< start + count`.
    func values(rank: Int, count: Int, from start: Int = 0) -> [Scalar] {
        tile(cycles[rank], count: count, from: start)
    }

    /// The reduction over all ranks, in rank order (`((x₀ ∘ x₁) ∘ x₂) ∘ …`), at indices `start ..< start + count`:
    /// the reference every communicator matches.
    func reduced(_ operation: ReduceOperation, count: Int, from start: Int = 0) -> [Scalar] {
        let cycle = (0..<Self.period).map { k in
            cycles.dropFirst().reduce(cycles[0][k]) { operation.combine($0, $1[k]) }
        }
        return tile(cycle, count: count, from: start)
    }

    private func tile(_ cycle: [Scalar], count: Int, from start: Int) -> [Scalar] {
        var result: [Scalar] = []
        result.reserveCapacity(count)
        let phase = start % Self.period
        result.append(contentsOf: cycle[phase..<min(Self.period, phase + count)])
        while result.count + Self.period <= count { result.append(contentsOf: cycle) }
        result.append(contentsOf: cycle[0..<(count - result.count)])
        return result
    }
}

/// An element type the laws fill buffers with: small values whose sums are exact in any order.
protocol ConformanceSample: CollectiveScalar {
    /// Converts a sample in `-20...20` (non-negative and small enough not to overflow for `UInt8`).
    static func fromSample(_ value: Int, worldSize: Int) -> Self
}

extension Float: ConformanceSample {
    static func fromSample(_ value: Int, worldSize: Int) -> Float { Float(value) * 0.25 }
}

extension Double: ConformanceSample {
    static func fromSample(_ value: Int, worldSize: Int) -> Double { Double(value) * 0.125 }
}

extension Int64: ConformanceSample {
    /// Uses the high bits too, so a transport that truncates to 32 bits fails.
    static func fromSample(_ value: Int, worldSize: Int) -> Int64 { Int64(value) << 36 + Int64(value) }
}

extension UInt8: ConformanceSample {
    static func fromSample(_ value: Int, worldSize: Int) -> UInt8 {
        UInt8((value + 20) % (255 / Swift.max(worldSize, 1) + 1))
    }
}
