import Cairn
import CairnTensor
import Foundation
import Testing

@Suite(.serialized) struct DeterminismTests {
    /// Two runs of the same config give bit-identical losses in `metrics.jsonl` and bit-identical weights.
    @Test func sameConfigGivesBitIdenticalRuns() async throws {
        let first = try TrainingFixture.temporaryFolder("determinism-a")
        let second = try TrainingFixture.temporaryFolder("determinism-b")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let a = try await TrainingFixture.train(TrainingFixture.configuration(outputDir: first, steps: 6))
        let b = try await TrainingFixture.train(TrainingFixture.configuration(outputDir: second, steps: 6))
        #expect(a.losses.count == 6)
        #expect(a.losses.map(\.bitPattern) == b.losses.map(\.bitPattern))
        let metricsA = try MetricsFile.losses(first + "/metrics.jsonl")
        #expect(metricsA.map(\.bitPattern) == a.losses.map(\.bitPattern), "metrics.jsonl holds exactly the computed losses")
        #expect(try MetricsFile.losses(second + "/metrics.jsonl").map(\.bitPattern) == metricsA.map(\.bitPattern))
        let weightsA = try Data(contentsOf: URL(fileURLWithPath: first + "/model.safetensors"))
        let weightsB = try Data(contentsOf: URL(fileURLWithPath: second + "/model.safetensors"))
        #expect(weightsA == weightsB)
        #expect(a.losses.last! < a.losses.first!, "the loss falls")
    }

    /// The first steps of the demo run reproduce the committed golden trace: bit for bit with the BLAS core and
    /// thread count it was recorded with, within 1e-4 relative elsewhere (another CPU picks other kernels).
    @Test func demoRunMatchesTheGoldenLossTrace() async throws {
        let golden = try GoldenTrace.load(TrainingFixture.root
            + "/Tests/CairnIntegrationTests/Fixtures/losses/qwen3-tiny-sft.txt")
        let folder = try TrainingFixture.temporaryFolder("golden")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let summary = try await TrainingFixture.train(
            TrainingFixture.configuration(outputDir: folder, steps: golden.losses.count))
        let sameKernels = BLAS.library.coreName == golden.blasCore && BLAS.threadCount == golden.blasThreads
        for (step, (actual, expected)) in zip(summary.losses, golden.losses).enumerated() {
            if sameKernels {
                #expect(actual.bitPattern == expected.bitPattern, "step \(step + 1): \(actual) != golden \(expected)")
            } else {
                #expect(abs(actual - expected) <= 1e-4 * abs(expected), "step \(step + 1): \(actual) vs golden \(expected)")
            }
        }
    }
}

/// Reads `metrics.jsonl`.
enum MetricsFile {
    /// The `loss` of every line, parsed with `Double(_:)`, which round-trips Swift's shortest representation
    /// exactly (Foundation's JSONSerialization on Linux can be off in the last bit).
    static func losses(_ path: String) throws -> [Double] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let start = try #require(line.range(of: "\"loss\":")).upperBound
            let number = line[start...].prefix { $0 != "," && $0 != "}" }
            return try #require(Double(number))
        }
    }
}

/// A committed loss trace: `# blas <core> threads <n>` then `step loss` per line, losses in Swift's shortest
/// round-trip form.
struct GoldenTrace {
    var blasCore: String
    var blasThreads: Int
    var losses: [Double]

    static func load(_ path: String) throws -> GoldenTrace {
        var trace = GoldenTrace(blasCore: "", blasThreads: 0, losses: [])
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.first == "#", fields.count >= 5, fields[1] == "blas" {
                trace.blasCore = String(fields[2])
                trace.blasThreads = Int(fields[4]) ?? 0
            } else if fields.count == 2, let loss = Double(fields[1]) {
                trace.losses.append(loss)
            }
        }
        return trace
    }
}
