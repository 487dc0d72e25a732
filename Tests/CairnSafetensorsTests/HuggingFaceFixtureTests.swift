import CairnCore
import Foundation
import Testing

@testable import CairnSafetensors

/// The Qwen3 parity fixtures that `save_pretrained` wrote (Tests/CairnNNTests/Fixtures, see its README):
/// real Hugging Face files in F32, sharded BF16 and F16.
private let qwenFixtures = URL(fileURLWithPath: fixturesDirectory)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("CairnNNTests/Fixtures").path

@Test func huggingFaceFoldersLoadInEveryDType() throws {
    let float32 = try SafetensorsFolder(contentsOf: qwenFixtures + "/qwen3-tiny")
    let bfloat16 = try SafetensorsFolder(contentsOf: qwenFixtures + "/qwen3-tiny-bf16-sharded")
    let float16 = try SafetensorsFolder(contentsOf: qwenFixtures + "/qwen3-tiny-f16")
    #expect(float32.tensorNames.count == 24)
    #expect(!float32.contains("lm_head.weight"))  // tied embeddings
    #expect(bfloat16.files.count == 2)
    #expect(bfloat16.tensorNames == float32.tensorNames)
    #expect(float16.tensorNames == float32.tensorNames)
    #expect(float32.files[SafetensorsFolder.singleFileName]?.metadata == ["format": "pt"])
    var total = 0
    for name in float32.tensorNames {
        let weights = try float32.floats(name)
        #expect(try bfloat16.info(name).elementType == .bfloat16)
        #expect(try float16.info(name).elementType == .float16)
        #expect(try bfloat16.info(name).shape == float32.info(name).shape)
        // torch's `.to(bfloat16)` / `.to(float16)` is round-to-nearest-even, as HalfPrecision's narrowing.
        let expectedBF16 = weights.map { HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: $0)) }
        let expectedF16 = weights.map { HalfPrecision.float(fromFloat16: HalfPrecision.float16(from: $0)) }
        #expect(try bfloat16.floats(name) == expectedBF16, "\(name)")
        #expect(try float16.floats(name) == expectedF16, "\(name)")
        total += weights.count
    }
    #expect(total == 90_496)
    #expect(bfloat16.index?.totalSize == 2 * total)
}
