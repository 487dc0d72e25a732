import CairnCore
import CairnTensor
import Testing

/// Checks an op's forward values and its gradients against a float64 reference evaluator.
///
/// The op under test runs in float32 on tensors built from `inputs`; the loss is L = Σ y ⊙ R with fixed random
/// weights R (so every output element gets a distinct gradient), differentiated by the tape. The reference
/// evaluates the same op in Double; its gradient is taken by central finite differences,
/// (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h with h = 1e-6 · max(1, |xᵢ|), which in Double is accurate to ~1e-9 relative.
///
/// Tolerances: the forward output must match the reference within `forwardTolerance` (2e-6) times the largest
/// reference magnitude (≥ 1), and every gradient within `gradientTolerance` (1e-5) times the largest reference
/// gradient magnitude of that input (≥ 1e-3). Float32 kernels land at 1e-8…1e-6 on these sizes (measured), so
/// the bounds sit 2–10× above float32 noise while any wrong or missing term shows up at 1e-2 or more.
struct GradientCheck {
    /// An input: its shape, values, and whether the op is differentiated with respect to it.
    struct Input {
        var shape: [Int]
        var values: [Float]
        var isDifferentiable = true
    }

    var inputs: [Input]
    var forwardTolerance = 2e-6
    var gradientTolerance = 1e-5

    /// Runs the check; `op` builds the float32 output from tensors, `reference` the float64 output from arrays.
    func run(
        _ op: ([Tensor]) -> Tensor, reference: ([[Double]]) -> [Double],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let tensors = inputs.map { input -> Tensor in
            let tensor = Tensor(shape: input.shape, values: input.values)
            tensor.requiresGrad = input.isDifferentiable
            return tensor
        }
        let doubles = inputs.map { $0.values.map(Double.init) }
        let expected = reference(doubles)
        var generator = PhiloxRandom(seed: 99, label: "gradient-check-weights")
        let weights = (0..<expected.count).map { _ in Double(generator.nextUniform() * 2 - 1) }

        let tape = Tape()
        let (output, loss) = tape.record { () -> (Tensor, Tensor) in
            let output = op(tensors)
            let weightTensor = Tensor(shape: output.shape, values: weights.map(Float.init))
            return (output, sum(multiply(output, weightTensor)))
        }
        #expect(output.count == expected.count, "output count", sourceLocation: sourceLocation)
        let scale = max(1, expected.map(abs).max() ?? 0)
        let forwardError = zip(output.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(
            forwardError <= forwardTolerance * scale,
            "forward error \(forwardError) > \(forwardTolerance) × \(scale)", sourceLocation: sourceLocation)
        try await tape.backward(from: loss)

        func referenceLoss(_ values: [[Double]]) -> Double {
            zip(reference(values), weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for (inputIndex, input) in inputs.enumerated() where input.isDifferentiable {
            let analytic = try #require(tensors[inputIndex].grad, "no gradient for input \(inputIndex)").scalars
            var numeric = [Double](repeating: 0, count: input.values.count)
            var perturbed = doubles
            for element in 0..<input.values.count {
                let original = doubles[inputIndex][element]
                let step = 1e-6 * max(1, abs(original))
                perturbed[inputIndex][element] = original + step
                let plus = referenceLoss(perturbed)
                perturbed[inputIndex][element] = original - step
                let minus = referenceLoss(perturbed)
                perturbed[inputIndex][element] = original
                numeric[element] = (plus - minus) / (2 * step)
            }
            let gradientScale = max(1e-3, numeric.map(abs).max() ?? 0)
            let error = zip(analytic, numeric).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(
                error <= gradientTolerance * gradientScale,
                "input \(inputIndex): gradient error \(error) > \(gradientTolerance) × \(gradientScale)",
                sourceLocation: sourceLocation)
        }
    }
}

/// Deterministic test data.
enum TestData {
    /// `count` floats uniform in [-scale, scale) from a labelled stream.
    static func uniform(_ count: Int, scale: Float = 1, label: String) -> [Float] {
        var generator = PhiloxRandom(seed: 7, label: label)
        return (0..<count).map { _ in (generator.nextUniform() * 2 - 1) * scale }
    }
}
