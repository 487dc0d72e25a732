import CairnCore
import CairnTensor
import Testing

@Suite struct TensorRandomTests {
    @Test func normalIsDeterministicAndHasTheRequestedMoments() {
        var first = PhiloxRandom(seed: 42, label: "model.layers.0.mlp.up_proj.weight")
        var second = PhiloxRandom(seed: 42, label: "model.layers.0.mlp.up_proj.weight")
        let a = Tensor.normal([100_001], mean: 0.5, std: 2, generator: &first).scalars
        let b = Tensor.normal([100_001], mean: 0.5, std: 2, generator: &second).scalars
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(first == second)
        let mean = a.reduce(0.0) { $0 + Double($1) } / Double(a.count)
        let variance = a.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(a.count)
        #expect(abs(mean - 0.5) < 0.03)
        #expect(abs(variance.squareRoot() - 2) < 0.03)
    }

    @Test func normalConsumesTwoWordsPerPair() {
        var generator = PhiloxRandom(seed: 1)
        _ = Tensor.normal([5], mean: 0, std: 1, generator: &generator)
        var reference = PhiloxRandom(seed: 1)
        for _ in 0..<6 { _ = reference.next32() }
        #expect(generator == reference)
    }
}
