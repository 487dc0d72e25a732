import CairnCore
import CairnTensor
import Foundation
import Testing

/// Forward + backward of the "small" decoder, with per-op times, against the sgemm 2048³ peak measured in the
/// same run. Disabled by default; run in release mode:
///
///     CAIRN_TENSOR_BENCHMARK=1 swift test -c release --scratch-path .build-tensor \
///         --filter TrainingStepBenchmark
@Suite struct TrainingStepBenchmark {
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["CAIRN_TENSOR_BENCHMARK"] == "1" }

    private static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let (whole, fraction) = (ContinuousClock.now - start).components
        return Double(whole) + Double(fraction) * 1e-18
    }

    /// The best of `repeats` sgemm 2048³ runs, in GFLOP/s.
    static func sgemmPeak(repeats: Int = 4) async -> Double {
        let n = 2048
        let a = Tensor.filled([n, n], with: 0.5)
        let b = Tensor.filled([n, n], with: 0.25)
        let c = Tensor.zeros([n, n])
        var best = Double.infinity
        for _ in 0..<repeats {
            best = min(
                best,
                await seconds {
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            c.withUnsafeMutableBufferPointer { c in
                                BLAS.sgemm(
                                    transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a.baseAddress!,
                                    lda: n, b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                            }
                        }
                    }
                })
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    @Test(.enabled(if: isEnabled)) func smallModelTrainingStep() async throws {
        print(BLAS.library)
        let model = DecoderFixture(.small)
        let steps = Int(ProcessInfo.processInfo.environment["CAIRN_TENSOR_BENCHMARK_STEPS"] ?? "8") ?? 8
        var best = Double.infinity
        var peak = await Self.sgemmPeak()
        for step in 0..<steps {
            var loss: Float = 0
            let elapsed = try await Self.seconds { loss = try await model.trainingStep() }
            if step > 0 { best = min(best, elapsed) }
            print("step \(step): \(elapsed) s, loss \(loss)")
        }
        peak = max(peak, await Self.sgemmPeak())
        let profile = OperationProfile()
        for _ in 0..<2 { _ = try await profile.measure { try await model.trainingStep() } }
        print(profile.report)
        let flops = model.configuration.stepFLOPs
        print("sgemm 2048³ peak: \(peak) GFLOP/s")
        print("best step: \(best) s = \(flops / best / 1e9) GFLOP/s = \(flops / best / 1e9 / peak * 100) % of peak")
        print("pool: \(TensorStoragePool.shared.statistics)")
    }
}
