import CairnCore
import Foundation
import Testing

@testable import CairnSafetensors

/// The hostile-file sweep: thousands of malformed files, each either read correctly or rejected with a
/// `SafetensorsError` (the typed `throws` makes any other error impossible), never a crash, never a read outside
/// the file. `CAIRN_STRESS=1` (`make stress`) runs a campaign fifty times larger.
private let isStress = ProcessInfo.processInfo.environment["CAIRN_STRESS"] == "1"

/// A small Cairn-written file with every group: an aligned F32, scalars, empties, integers, BF16, metadata.
private func cairnBase() throws -> [UInt8] {
    var writer = SafetensorsWriter(metadata: ["format": "pt"])
    try writer.add("w", shape: [4, 4], floats: (0..<16).map(Float.init))
    try writer.add("b", elementType: .bfloat16, shape: [3], bytes: HostBuffer(copying: [UInt16(0x3F80), 0x7FC0, 0x0001]))
    try writer.add("i", elementType: .int64, shape: [2], bytes: HostBuffer(copying: [Int64(1), -1]))
    try writer.add("u", elementType: .uint8, shape: [5], bytes: HostBuffer(copying: [UInt8](1...5)))
    try writer.add("s", shape: [], floats: [0.5])
    try writer.add("e", elementType: .float16, shape: [0, 2], bytes: HostBuffer(zeroedByteCount: 0))
    return concatenated(try writer.encode())
}

private struct SweepTally {
    var accepted = 0
    var rejectedByCode: [String: Int] = [:]
    var byKind: [String: (accepted: Int, rejected: Int)] = [:]
}

@Test func hostileFilesAreReadCorrectlyOrRejected() throws {
    let bases = [try cairnBase(), Array(try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/interop.safetensors")))]
    var generator = HostileFileGenerator(seed: 2024, bases: bases)
    let randomCases = isStress ? 500_000 : 10_000
    var cases = generator.truncations()
    for _ in 0..<randomCases { cases.append(generator.next()) }

    let directory = try TemporaryDirectory(inMemory: true)
    let path = directory.file("hostile.safetensors")
    var tally = SweepTally()
    for testCase in cases {
        try Data(testCase.bytes).write(to: URL(fileURLWithPath: path))
        let rejection = check(testCase, at: path)
        let accepted = rejection == nil
        if let rejection {
            tally.rejectedByCode[rejection.name, default: 0] += 1
        } else {
            tally.accepted += 1
        }
        tally.byKind[testCase.kind, default: (0, 0)].accepted += accepted ? 1 : 0
        tally.byKind[testCase.kind, default: (0, 0)].rejected += accepted ? 0 : 1
    }
    // The sweep must exercise both outcomes, or it proves little.
    #expect(tally.accepted > 100)
    #expect(cases.count - tally.accepted > cases.count / 2)
    // Every validation rule is reached by some file.
    let expectedCodes: Set<SafetensorsError.Code> = [
        .truncated, .headerTooLarge, .malformedHeader, .unknownDType, .badShape, .badOffsets, .sizeMismatch, .overlap,
        .gap, .duplicateName,
    ]
    #expect(Set(tally.rejectedByCode.keys) == Set(expectedCodes.map(\.name)))
    let kinds = tally.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.accepted)/\($0.value.rejected)" }
    let codes = tally.rejectedByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    print("hostile sweep: \(cases.count) files; accepted/rejected by kind: \(kinds.joined(separator: ", "))")
    print("hostile sweep: rejections by code: \(codes.joined(separator: ", "))")
}

/// Opens the file at `path` (holding `testCase.bytes`); returns the rejection's code, or `nil` when accepted after
/// checking that the file reads back exactly the bytes the header promises and nothing outside the mapping.
private func check(_ testCase: HostileFileGenerator.Case, at path: String) -> SafetensorsError.Code? {
    let file: SafetensorsFile
    do {
        file = try SafetensorsFile(contentsOf: path)
    } catch {
        // The in-memory decoder must agree with the mapped reader.
        let memoryCode = errorCode { () throws(SafetensorsError) in try decode(testCase.bytes) }
        if testCase.bytes.count >= 8 {
            #expect(memoryCode == error.code, "\(testCase.kind): mapped \(error.code) vs memory \(String(describing: memoryCode))")
        }
        return error.code
    }
    #expect(!testCase.mustReject, "\(testCase.kind): accepted a file that must be rejected")
    verifyAccepted(file, bytes: testCase.bytes, kind: testCase.kind)
    return nil
}

private func verifyAccepted(_ file: SafetensorsFile, bytes: [UInt8], kind: String) {
    let header = file.header
    let announced = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    #expect(file.dataOffset == 8 + Int(announced))
    #expect(header.dataByteCount == bytes.count - file.dataOffset)
    #expect(header.tensors.reduce(0) { $0 + $1.byteCount } == header.dataByteCount, "\(kind): coverage")
    var cursor = 0
    for info in header.tensors {
        #expect(info.dataOffsets.lowerBound == cursor, "\(kind): \(info) not contiguous")
        #expect(info.byteCount == info.elementCount * info.elementType.byteWidth)
        cursor = info.dataOffsets.upperBound
        do {
            let view = try file.bytes(info.name)
            let start = UInt(bitPattern: view.baseAddress)
            #expect(file.mappedRange.contains(start) || (view.byteCount == 0 && start == file.mappedRange.upperBound))
            #expect(start + UInt(view.byteCount) <= file.mappedRange.upperBound)
            let fileRange = file.dataOffset + info.dataOffsets.lowerBound..<file.dataOffset + info.dataOffsets.upperBound
            #expect(Array(view.bytes) == Array(bytes[fileRange]), "\(kind): \(info.name) bytes")
            if ElementConversion.convertsToFloat(info.elementType) {
                #expect(try file.floats(info.name).count == info.elementCount)
                let half = info.elementCount / 2
                #expect(try file.floats(info.name, elements: half..<info.elementCount).count == info.elementCount - half)
            }
        } catch {
            Issue.record("\(kind): accepted file fails to read \(info.name): \(error)")
        }
    }
    // Rewriting an accepted file keeps every tensor.
    do {
        var writer = SafetensorsWriter(metadata: header.metadata)
        for info in header.tensors {
            try writer.add(info.name, elementType: info.elementType, shape: info.shape, bytes: try file.bytes(info.name))
        }
        let rewritten = try decode(concatenated(try writer.encode()))
        #expect(Set(rewritten.header.tensors.map(\.name)) == Set(header.tensors.map(\.name)))
        #expect(rewritten.header.metadata == header.metadata)
    } catch {
        Issue.record("\(kind): accepted file does not rewrite: \(error)")
    }
}
