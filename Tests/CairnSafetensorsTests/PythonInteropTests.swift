import CairnCore
import Foundation
import Testing

@testable import CairnSafetensors

/// `Fixtures/interop.safetensors` is written by the real `safetensors` library (`Fixtures/make_interop.py`).
private let interopPath = fixturesDirectory + "/interop.safetensors"

/// Where the Cairn-written copy goes; `python3 Fixtures/make_interop.py --check <this path>` loads it with
/// `safetensors` and checks every tensor bit for bit (documented; not needed for these tests to pass).
private let swiftWrittenPath = NSTemporaryDirectory() + "/cairn-safetensors-interop.safetensors"

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

@Test func pythonWrittenFileReadsBitForBit() throws {
    let file = try SafetensorsFile(contentsOf: interopPath)
    #expect(file.metadata == ["source": "make_interop.py"])
    #expect(
        file.tensorNames == ["bf16", "empty", "f16", "f32", "f64", "i32", "i64", "nested.name.with.dots", "scalar", "u8"])

    #expect(try file.info("f32").shape == [2, 3])
    #expect(bits(try file.floats("f32")) == bits([1.5, -2.25, 3.0, 0.0, -0.0, 1e-40]))

    let f16 = try file.floats("f16")
    #expect(bits(Array(f16[0..<10])) == bits([0, -0.0, 0x1p-24, 1023 * 0x1p-24, 0x1p-14, 1, -2, 65504, .infinity, -.infinity]))
    #expect(f16[10].isNaN)

    let bf16 = try file.floats("bf16")
    #expect(bits([bf16[0], bf16[1], bf16[2], bf16[3], bf16[5], bf16[6]])
        == bits([1, -3, Float(bitPattern: 0x0001_0000), .infinity, -0.0, 3.140625]))
    #expect(bf16[4].isNaN)

    #expect(try file.floats("f64") == [Float(1.0 / 3.0), -.infinity, 2.5])
    #expect(try file.info("i64").elementType == .int64)
    let int64s: [Int64] = [-(1 << 62), 0, (1 << 40) + 7]
    let int32s: [Int32] = [-1, 2, .max, .min]
    #expect(Array(try file.bytes("i64").bytes) == int64s.withUnsafeBytes { Array($0) })
    #expect(Array(try file.bytes("i32").bytes) == int32s.withUnsafeBytes { Array($0) })
    #expect(Array(try file.bytes("u8").bytes) == Array(0..<10))
    #expect(try file.info("empty").shape == [0, 4])
    #expect(try file.floats("empty") == [])
    #expect(try file.info("scalar").shape == [])
    #expect(try file.floats("scalar") == [42.5])
    #expect(try file.floats("nested.name.with.dots") == [7, 8])
}

@Test func cairnRewritesThePythonFileLosslessly() throws {
    let source = try SafetensorsFile(contentsOf: interopPath)
    var writer = SafetensorsWriter(metadata: source.metadata)
    for name in source.tensorNames {
        let info = try source.info(name)
        try writer.add(name, elementType: info.elementType, shape: info.shape, bytes: try source.bytes(name))
    }
    try writer.write(to: swiftWrittenPath)
    let copy = try SafetensorsFile(contentsOf: swiftWrittenPath)
    #expect(copy.dataOffset % 64 == 0)
    #expect(copy.metadata == source.metadata)
    for name in source.tensorNames {
        let (original, rewritten) = (try source.info(name), try copy.info(name))
        #expect(original.elementType == rewritten.elementType && original.shape == rewritten.shape)
        #expect(try copy.bytes(name).hasSameBytes(as: try source.bytes(name)), "\(name)")
    }
}
