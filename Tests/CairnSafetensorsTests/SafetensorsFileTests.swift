import CairnCore
import Foundation
import Testing

@testable import CairnSafetensors

/// Writes a file with F32, BF16, F16, F64 and integer tensors and returns its path.
private func mixedFile(in directory: TemporaryDirectory) throws -> String {
    var writer = SafetensorsWriter(metadata: ["kind": "mixed"])
    try writer.add("f32", shape: [2, 3], floats: [0, 1, 2, 3, 4, 5])
    let bf16: [UInt16] = [0x3F80, 0xC040, 0x7F80, 0x0001]
    try writer.add("bf16", elementType: .bfloat16, shape: [4], bytes: HostBuffer(copying: bf16))
    let f16: [UInt16] = [0x3C00, 0x0001, 0xFC00, 0x7BFF, 0x8000]
    try writer.add("f16", elementType: .float16, shape: [5], bytes: HostBuffer(copying: f16))
    try writer.add("f64", elementType: .float64, shape: [2], bytes: HostBuffer(copying: [1.0 / 3.0, -1e300]))
    try writer.add("i64", elementType: .int64, shape: [2], bytes: HostBuffer(copying: [Int64(-5), 1 << 40]))
    return try writer.write(to: directory.file("mixed.safetensors")).tensors.isEmpty
        ? "" : directory.file("mixed.safetensors")
}

@Test func fileConvertsFloatDTypesToFloat32() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    #expect(try file.floats("f32") == [0, 1, 2, 3, 4, 5])
    #expect(try file.floats("bf16") == [1, -3, .infinity, Float(bitPattern: 0x0001_0000)])
    #expect(try file.floats("f16") == [1, 0x1p-24, -.infinity, 65504, 0])
    #expect(try file.floats("f16")[4].sign == .minus)
    #expect(try file.floats("f64") == [Float(1.0 / 3.0), -.infinity])
    #expect(file.metadata == ["kind": "mixed"])
}

@Test func fileReadsElementRangesForResharding() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    #expect(try file.floats("f32", elements: 2..<5) == [2, 3, 4])
    #expect(try file.floats("f32", elements: 6..<6) == [])
    let piece = try file.bytes("f32", elements: 1..<3)
    #expect(piece.byteCount == 8)
    #expect(Array(piece.bytes) == [Float(1), 2].withUnsafeBytes { Array($0) })
    #expect(try file.floats("f16", elements: 3..<5) == [65504, 0])
    #expect(errorCode { () throws(SafetensorsError) in try file.bytes("f32", elements: 4..<7) } == .outOfRange)
    #expect(errorCode { () throws(SafetensorsError) in try file.floats("f32", elements: -1..<2) } == .outOfRange)
}

@Test func fileReadsIntoADestination() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    var destination = [Float](repeating: -1, count: 4)
    try destination.withUnsafeMutableBufferPointer { buffer throws(SafetensorsError) in
        try file.readFloats("bf16", into: buffer)
    }
    #expect(destination[0...1] == [1, -3])
    var two = [Float](repeating: 0, count: 2)
    try two.withUnsafeMutableBufferPointer { buffer throws(SafetensorsError) in
        try file.readFloats("f32", elements: 4..<6, into: buffer)
    }
    #expect(two == [4, 5])
    let wrongSize = destination.withUnsafeMutableBufferPointer { buffer in
        errorCode { () throws(SafetensorsError) in try file.readFloats("f32", into: buffer) }
    }
    #expect(wrongSize == .outOfRange)
}

@Test func fileRefusesToConvertIntegers() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    #expect(errorCode { () throws(SafetensorsError) in try file.floats("i64") } == .unsupportedConversion)
    let raw = try file.bytes("i64")
    #expect(Array(raw.bytes) == [Int64(-5), 1 << 40].withUnsafeBytes { Array($0) })
    #expect(errorCode { () throws(SafetensorsError) in try file.info("missing") } == .tensorNotFound)
    #expect(!file.contains("missing"))
}

@Test func fileGivesStateTensorsThatViewTheMapping() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    let tensor = try file.stateTensor("f32")
    #expect(tensor.layout == .replicated([2, 3]))
    #expect(Array(tensor.floats) == [0, 1, 2, 3, 4, 5])
    #expect(file.mappedRange.contains(UInt(bitPattern: tensor.buffer.baseAddress)))
}

@Test func fileViewsOutliveTheFileObject() throws {
    let directory = try TemporaryDirectory()
    let path = try mixedFile(in: directory)
    var view: HostBuffer?
    do {
        let file = try SafetensorsFile(contentsOf: path)
        view = try file.bytes("f32")
    }
    #expect(Array(try #require(view).bytes) == [Float(0), 1, 2, 3, 4, 5].withUnsafeBytes { Array($0) })
}

@Test func copyOnWriteMappingsNeverChangeTheFile() throws {
    let directory = try TemporaryDirectory()
    let path = try mixedFile(in: directory)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    do {
        let file = try SafetensorsFile(contentsOf: path, mapping: .copyOnWrite)
        let tensor = try file.stateTensor("f32")
        tensor.floats[0] = 99
        #expect(try file.floats("f32")[0] == 99)  // the process sees its private copy
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try SafetensorsFile(contentsOf: path).floats("f32")[0] == 0)
}

@Test func fileOpeningReportsMissingAndSpecialFiles() throws {
    let directory = try TemporaryDirectory()
    #expect(errorCode { () throws(SafetensorsError) in try SafetensorsFile(contentsOf: directory.file("none")) } == .fileNotFound)
    #expect(errorCode { () throws(SafetensorsError) in try SafetensorsFile(contentsOf: directory.path) } == .io)
    let empty = try directory.write([], to: "empty.safetensors")
    #expect(errorCode { () throws(SafetensorsError) in try SafetensorsFile(contentsOf: empty) } == .truncated)
}

@Test func fileReadsForeignUnalignedTensors() throws {
    // A header of odd length puts the data buffer (and so every F32 and F64 tensor) at an odd address.
    let json = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]},"
        + "\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[9,17]}}"
    let data = [7] + [Float(1.5), -2].withUnsafeBytes { Array($0) } + withUnsafeBytes(of: 0.25) { Array($0) }
    let directory = try TemporaryDirectory()
    let path = try directory.write(safetensorsBytes(json: json, data: data), to: "odd.safetensors")
    let file = try SafetensorsFile(contentsOf: path)
    #expect(try file.fileOffset(of: "b") % 4 != 0)
    #expect(try file.floats("b") == [1.5, -2])
    #expect(try file.floats("c") == [0.25])
    let copied = try file.stateTensor("b")  // unaligned in the mapping: an aligned copy
    #expect(Int(bitPattern: copied.buffer.baseAddress) % 4 == 0)
    #expect(Array(copied.floats) == [1.5, -2])
}

@Test func fileOffsetsOfCairnWrittenTensorsAreElementAligned() throws {
    let directory = try TemporaryDirectory()
    let file = try SafetensorsFile(contentsOf: try mixedFile(in: directory))
    for name in file.tensorNames {
        let info = try file.info(name)
        #expect(try file.fileOffset(of: name) % info.elementType.byteWidth == 0, "\(info)")
    }
}
