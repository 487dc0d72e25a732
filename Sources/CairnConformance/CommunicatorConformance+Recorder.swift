import CairnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every law of ``CommunicatorConformance`` uses: gathering a rank's values and recording failures.
extension CommunicatorConformance {
    static func gather<Scalar: CollectiveScalar>(
        _ values: [Scalar], _ communicator: any Communicator, _ check: String, _ recorder: inout Recorder
    ) async throws -> [Scalar] {
        recorder.currentCheck = check
        let send = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: values.count)
        let receive = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: values.count * communicator.worldSize)
        defer { send.deallocate(); receive.deallocate() }
        _ = send.initialize(from: values)
        receive.initialize(repeating: .zero)
        try await communicator.allGather(UnsafeBufferPointer(send), into: receive)
        return Array(receive)
    }

    /// Collects failures with the law, rank and world size they belong to.
    struct Recorder {
        let rank: Int
        let worldSize: Int
        var law: Law = .identity
        var currentCheck = ""
        var failures: [Failure] = []

        mutating func fail(_ check: String, index: Int? = nil, expected: String, actual: String) {
            failures.append(Failure(law: law, rank: rank, worldSize: worldSize, check: check, index: index,
                                    expected: expected, actual: actual))
        }

        /// Records the first differing element (and how many differ) of two equal-length arrays.
        mutating func compare<Scalar: CollectiveScalar>(_ actual: [Scalar], _ expected: [Scalar], _ check: String) {
            guard actual.count == expected.count else {
                fail(check, expected: "\(expected.count) elements", actual: "\(actual.count) elements")
                return
            }
            let isIdentical = actual.withUnsafeBytes { actualBytes in
                expected.withUnsafeBytes { expectedBytes in
                    actualBytes.count == 0
                        || memcmp(actualBytes.baseAddress!, expectedBytes.baseAddress!, actualBytes.count) == 0
                }
            }
            if isIdentical { return }
            guard let first = actual.indices.first(where: { actual[$0] != expected[$0] }) else { return }
            let differing = actual.indices.lazy.filter { actual[$0] != expected[$0] }.count
            fail(check + (differing > 1 ? " (\(differing) elements differ)" : ""), index: first,
                 expected: "\(expected[first])", actual: "\(actual[first])")
        }
    }
}
