import Foundation
import Testing

@testable import CairnTensor

@Suite struct VectorMathTests {
    /// The distance in units in the last place between a float result and the exact value.
    private func ulpError(_ value: Float, _ exact: Double) -> Double {
        let rounded = Float(exact)
        guard rounded.isNormal else { return abs(Double(value) - exact) / Double(Float.leastNormalMagnitude.ulp) }
        return abs(Double(value) - exact) / Double(rounded.ulp)
    }

    @Test func expIsWithinTwoULPOverItsRange() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let lanes = FloatVector((0..<16).map { x + Float($0) * 0.0007 })
            let result = VectorMath.exp(lanes)
            for lane in 0..<16 { worst = max(worst, ulpError(result[lane], Foundation.exp(Double(lanes[lane])))) }
            x += 0.0371
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
    }

    @Test func expHandlesLimitsAndNaN() {
        let result = VectorMath.exp(
            FloatVector([-.infinity, -1000, -88, 0, 88, 1000, .infinity, .nan] + [Float](repeating: 0, count: 8)))
        #expect(result[0] == 0 && result[1] == 0 && result[2] == 0)
        #expect(result[3] == 1)
        #expect(result[4].isFinite && result[5].isFinite && result[6].isFinite)  // saturates at exp(88)
        #expect(result[7].isNaN)
    }

    @Test func reductionsHandleTails() {
        let values: [Float] = (0..<37).map { Float($0) - 18.5 }
        values.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            #expect(VectorMath.sum(base, count: 37) == values.reduce(0, +))
            #expect(VectorMath.maximum(base, count: 37) == 17.5)
            #expect(VectorMath.maximum(base, count: 3) == -16.5)
            #expect(VectorMath.dot(base, base, count: 37) == values.reduce(0) { $0 + $1 * $1 })
        }
    }
}
