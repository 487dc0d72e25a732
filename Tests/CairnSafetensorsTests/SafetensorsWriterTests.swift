import CairnCore
import Foundation
import Testing

@testable import CairnSafetensors

/// A tensor of each dtype, with a size that lands it in the aligned (multiple of 64 bytes) or the other group.
private func sampleWriter() throws -> SafetensorsWriter {
    var writer = SafetensorsWriter(metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n é"])
    var generator = PhiloxRandom(seed: 7)
    for elementType in ElementType.allCases {
        for (suffix, shape) in [("aligned", [4, 64 / elementType.byteWidth]), ("odd", [3])] {
            let count = shape.reduce(1, *)
            let bytes = (0..<count * elementType.byteWidth).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try writer.add(
                "\(elementType.rawValue.lowercased()).\(suffix)", elementType: elementType, shape: shape,
                bytes: HostBuffer(copying: bytes))
        }
    }
    try writer.add("scalar", shape: [], floats: [42.5])
    try writer.add("empty", shape: [0, 5], floats: [])
    try writer.add("empty.middle", elementType: .bfloat16, shape: [2, 0, 3], bytes: HostBuffer(zeroedByteCount: 0))
    return writer
}

@Test func writerRoundTripsEveryDTypeThroughAFile() throws {
    let directory = try TemporaryDirectory()
    let writer = try sampleWriter()
    let payload = try writer.encode()
    let path = directory.file("round.safetensors")
    let written = try writer.write(to: path)
    #expect(written == payload.header)

    let file = try SafetensorsFile(contentsOf: path)
    #expect(file.metadata == writer.metadata)
    #expect(file.byteCount == payload.byteCount)
    #expect(file.tensorNames.count == ElementType.allCases.count * 2 + 3)
    for info in payload.header.tensors {
        let read = try file.info(info.name)
        #expect(read == info)
        let original = payload.parts[payload.header.tensors.firstIndex(of: info)! + 1]
        #expect(try file.bytes(info.name).hasSameBytes(as: original))
    }
    #expect(try file.floats("scalar") == [42.5])
    #expect(try file.info("scalar").shape == [])
    #expect(try file.floats("empty") == [])
    #expect(try file.info("empty.middle").elementCount == 0)
}

@Test func writerAlignsTheFirstGroupTo64Bytes() throws {
    let payload = try sampleWriter().encode()
    #expect(payload.dataOffset % 64 == 0)
    let header = payload.header
    let firstOdd = try #require(header.tensors.firstIndex { $0.byteCount % 64 != 0 })
    let aligned = header.tensors[..<firstOdd]
    let odd = header.tensors[firstOdd...]
    #expect(aligned.allSatisfy { $0.byteCount % 64 == 0 })
    #expect(odd.allSatisfy { $0.byteCount % 64 != 0 })
    for info in aligned {
        #expect(try #require(payload.fileOffset(of: info.name)) % 64 == 0, "\(info.name)")
    }
    // The aligned group is sorted by name; the rest by element width (widest first), then by name.
    #expect(aligned.map(\.name) == aligned.map(\.name).sorted())
    let oddOrder = odd.sorted {
        $0.elementType.byteWidth != $1.elementType.byteWidth
            ? $0.elementType.byteWidth > $1.elementType.byteWidth : $0.name < $1.name
    }
    #expect(odd.map(\.name) == oddOrder.map(\.name))
    // The header ends in spaces up to the data buffer.
    let prefix = Array(payload.parts[0].bytes)
    let jsonEnd = try #require(prefix.lastIndex(of: UInt8(ascii: "}")))
    #expect(prefix[(jsonEnd + 1)...].allSatisfy { $0 == UInt8(ascii: " ") })
}

@Test func writerMapsAlignedTensorsInPlace() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("aligned.safetensors")
    try sampleWriter().write(to: path)
    let file = try SafetensorsFile(contentsOf: path)
    let view = try file.bytes("f32.aligned")
    #expect(Int(bitPattern: view.baseAddress) % 64 == 0)
    #expect(try file.fileOffset(of: "f32.aligned") % 64 == 0)
}

@Test func writerOutputIsDeterministic() throws {
    let first = concatenated(try sampleWriter().encode())
    let second = concatenated(try sampleWriter().encode())
    #expect(first == second)
    // Insertion order does not matter.
    var forward = SafetensorsWriter()
    var backward = SafetensorsWriter()
    let names = ["b", "a", "c.d", "A"]
    for name in names { try forward.add(name, shape: [2], floats: [1, 2]) }
    for name in names.reversed() { try backward.add(name, shape: [2], floats: [1, 2]) }
    #expect(concatenated(try forward.encode()) == concatenated(try backward.encode()))
}

@Test func writerPartsAreTheCallersBuffersWithoutCopies() throws {
    let buffer = HostBuffer(copying: [Float](repeating: 1, count: 16))
    var writer = SafetensorsWriter()
    try writer.add("w", elementType: .float32, shape: [16], bytes: buffer)
    let payload = try writer.encode()
    #expect(payload.parts.count == 2)
    #expect(payload.parts[1] === buffer)
}

@Test func writerAddsStateTensorsWithTheirLocalShape() throws {
    let layout = TensorLayout(elementType: .float32, globalShape: [4, 3], placement: .rows(1..<3))
    let tensor = StateTensor(layout: layout, buffer: HostBuffer(copying: [Float](repeating: 2, count: 6)))
    var writer = SafetensorsWriter()
    try writer.add("piece", tensor: tensor)
    let header = try writer.encode().header
    #expect(header["piece"]?.shape == [2, 3])
}

@Test func writerRejectsInconsistentTensors() throws {
    var writer = SafetensorsWriter()
    try writer.add("a", shape: [2], floats: [1, 2])
    #expect(errorCode { () throws(SafetensorsError) in try writer.add("a", shape: [1], floats: [1]) } == .duplicateName)
    #expect(errorCode { () throws(SafetensorsError) in try writer.add("", shape: [1], floats: [1]) } == .invalidTensor)
    #expect(
        errorCode { () throws(SafetensorsError) in try writer.add("__metadata__", shape: [1], floats: [1]) }
            == .invalidTensor)
    #expect(errorCode { () throws(SafetensorsError) in try writer.add("b", shape: [3], floats: [1]) } == .sizeMismatch)
    #expect(errorCode { () throws(SafetensorsError) in try writer.add("c", shape: [-1], floats: []) } == .badShape)
    #expect(
        errorCode { () throws(SafetensorsError) in try writer.add("d", shape: [Int.max, 2], floats: []) } == .badShape)
}

@Test func writerReportsIOErrors() throws {
    var writer = SafetensorsWriter()
    try writer.add("a", shape: [1], floats: [1])
    let code = errorCode { () throws(SafetensorsError) in try writer.write(to: "/nonexistent-cairn-dir/x.safetensors") }
    #expect(code == .fileNotFound)
}

@Test func writerOfNothingIsAValidFile() throws {
    let payload = try SafetensorsWriter().encode()
    let bytes = concatenated(payload)
    #expect(bytes.count == 64)
    let layout = try decode(bytes)
    #expect(layout.header.tensors.isEmpty)
    #expect(layout.dataOffset == 64)
}
