import CairnCore
import Testing

@testable import CairnSafetensors

/// A header JSON with one F32 tensor "t" of `shape` at `offsets`, plus `extra` members.
private func oneTensor(
    dtype: String = "\"F32\"", shape: String = "[2]", offsets: String = "[0,8]", extra: String = ""
) -> String {
    "{\"t\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}\(extra)}"
}

private struct HeaderCase: CustomStringConvertible, Sendable {
    var json: String
    var dataByteCount: Int
    var expected: SafetensorsError.Code
    var description: String { "\(expected): \(json.prefix(120))" }

    init(_ json: String, data dataByteCount: Int = 8, _ expected: SafetensorsError.Code) {
        self.json = json
        self.dataByteCount = dataByteCount
        self.expected = expected
    }
}

private let rejectedHeaders: [HeaderCase] = [
    // Not JSON, or not the expected shape.
    HeaderCase("", .malformedHeader),
    HeaderCase(" {}", data: 0, .malformedHeader),
    HeaderCase("[]", data: 0, .malformedHeader),
    HeaderCase("{", data: 0, .malformedHeader),
    HeaderCase("{}x", data: 0, .malformedHeader),
    HeaderCase("{}\0", data: 0, .malformedHeader),
    HeaderCase("{\"t\":1}", .malformedHeader),
    HeaderCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", .malformedHeader),
    HeaderCase(oneTensor(extra: ",}"), .malformedHeader),
    HeaderCase(oneTensor(dtype: "32"), .malformedHeader),
    HeaderCase(oneTensor(shape: "2"), .malformedHeader),
    HeaderCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", .malformedHeader),
    HeaderCase("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", .malformedHeader),
    HeaderCase("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", .malformedHeader),
    HeaderCase(oneTensor(extra: ",\"__metadata__\":{\"a\":1}"), .malformedHeader),
    HeaderCase(oneTensor(extra: ",\"__metadata__\":[]"), .malformedHeader),
    HeaderCase(oneTensor(extra: ",\"__metadata__\":{\"a\":null}"), .malformedHeader),
    // Duplicates.
    HeaderCase(oneTensor(extra: ",\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}"), .duplicateName),
    HeaderCase(oneTensor(extra: ",\"__metadata__\":{},\"__metadata__\":{}"), .duplicateName),
    HeaderCase(oneTensor(extra: ",\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}"), .duplicateName),
    // dtypes.
    HeaderCase(oneTensor(dtype: "\"F8_E4M3\""), .unknownDType),
    HeaderCase(oneTensor(dtype: "\"f32\""), .unknownDType),
    HeaderCase(oneTensor(dtype: "\"BOOL\""), .unknownDType),
    // Shapes.
    HeaderCase(oneTensor(shape: "[-2]"), .badShape),
    HeaderCase(oneTensor(shape: "[2.0]"), .badShape),
    HeaderCase(oneTensor(shape: "[2e0]"), .badShape),
    HeaderCase(oneTensor(shape: "[-0]"), .badShape),
    HeaderCase(oneTensor(shape: "[\"2\"]"), .badShape),
    HeaderCase(oneTensor(shape: "[null]"), .badShape),
    HeaderCase(oneTensor(shape: "[[2]]"), .badShape),
    HeaderCase(oneTensor(shape: "[99999999999999999999]"), .badShape),
    HeaderCase(oneTensor(shape: "[4611686018427387904]"), .badShape),  // 2^62 elements × 4 bytes overflows
    HeaderCase(oneTensor(shape: "[3037000500,3037000500]"), .badShape),
    HeaderCase(oneTensor(shape: "[2,0,9223372036854775807,9223372036854775807]", offsets: "[0,0]"), .badShape),
    // Offsets.
    HeaderCase(oneTensor(offsets: "[0]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[0,8,8]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[8,0]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[-8,0]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[0,8.0]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[0,\"8\"]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "{}"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[0,16]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[0,18446744073709551615]"), .badOffsets),
    HeaderCase(oneTensor(offsets: "[9223372036854775807,9223372036854775807]"), .badOffsets),
    // Sizes, overlaps, holes.
    HeaderCase(oneTensor(offsets: "[0,4]"), .sizeMismatch),
    HeaderCase(oneTensor(shape: "[]", offsets: "[0,8]"), .sizeMismatch),
    HeaderCase(oneTensor(extra: ",\"u\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}"), data: 8, .overlap),
    HeaderCase(oneTensor(extra: ",\"u\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,4]}"), data: 8, .overlap),
    HeaderCase(oneTensor(offsets: "[4,12]"), data: 12, .gap),
    HeaderCase(oneTensor(), data: 9, .gap),
    HeaderCase("{}", data: 1, .gap),
]

@Test(arguments: rejectedHeaders)
private func headerRejects(_ testCase: HeaderCase) {
    let json = Array(testCase.json.utf8)
    let code = json.withUnsafeBytes { buffer in
        errorCode { () throws(SafetensorsError) in
            try SafetensorsHeader.decode(json: buffer, dataByteCount: testCase.dataByteCount)
        }
    }
    #expect(code == testCase.expected)
}

@Test func headerAcceptsWhatHuggingFaceAccepts() throws {
    let accepted: [(String, Int)] = [
        ("{}", 0),
        ("{}   \n\t\r", 0),
        ("{\"__metadata__\":{}}", 0),
        ("{\"__metadata__\":null}", 0),
        (oneTensor(), 8),
        (oneTensor(extra: ",\"__metadata__\":{\"format\":\"pt\",\"\\u00e9\\ud83d\\ude00\":\"\\n\"}"), 8),
        (oneTensor(extra: ",\"e\":{\"dtype\":\"I64\",\"shape\":[0,3],\"data_offsets\":[8,8]}"), 8),
        (oneTensor(extra: ",\"e\":{\"dtype\":\"I64\",\"shape\":[0,3],\"data_offsets\":[0,0]}"), 8),
        (oneTensor(shape: "[]", offsets: "[0,4]"), 4),
        (oneTensor(shape: "[ 2 ]", offsets: "[ 0 , 8 ]"), 8),
    ]
    for (json, dataByteCount) in accepted {
        let bytes = Array(json.utf8)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SafetensorsError) in try SafetensorsHeader.decode(json: buffer, dataByteCount: dataByteCount) }
        }
        #expect(throws: Never.self, "\(json)") { try result.get() }
    }
}

@Test func headerOrdersTensorsByOffsetAndKeepsMetadata() throws {
    let json = "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
        + "\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[2,6]}}"
    let layout = try decode(safetensorsBytes(json: json, data: [1, 2, 3, 4, 5, 6]))
    #expect(layout.header.tensors.map(\.name) == ["b", "a"])
    #expect(layout.header.tensorNames == ["a", "b"])
    #expect(layout.header.metadata == ["k": "v"])
    #expect(layout.header["a"]?.elementType == .bfloat16)
    #expect(layout.header["a"]?.shape == [1, 2])
    #expect(layout.header["a"]?.dataOffsets == 2..<6)
    #expect(layout.dataOffset == 8 + json.utf8.count)
}

@Test func headerLengthPrefixIsChecked() {
    #expect(errorCode { () throws(SafetensorsError) in try decode([]) } == .truncated)
    #expect(errorCode { () throws(SafetensorsError) in try decode([2, 0, 0, 0, 0, 0, 0]) } == .truncated)
    var claimsTooMuch = safetensorsBytes(json: "{}")
    claimsTooMuch[0] = 3
    #expect(errorCode { () throws(SafetensorsError) in try decode(claimsTooMuch) } == .truncated)
    for announced: UInt64 in [100_000_001, 1 << 32, 1 << 63, UInt64.max] {
        let bytes = withUnsafeBytes(of: announced.littleEndian) { Array($0) } + Array("{}".utf8)
        #expect(errorCode { () throws(SafetensorsError) in try decode(bytes) } == .headerTooLarge)
    }
    let zeroLength = [UInt8](repeating: 0, count: 8)
    #expect(errorCode { () throws(SafetensorsError) in try decode(zeroLength) } == .malformedHeader)
}

@Test func headerEncodingRoundTrips() throws {
    var writer = SafetensorsWriter(metadata: ["a\u{1}\"\\": "x\ty", "ü": ""])
    try writer.add("weird \"name\"\n\u{7f}", shape: [1], floats: [1])
    try writer.add("😀", elementType: .int64, shape: [2, 1], bytes: HostBuffer(zeroedByteCount: 16))
    let payload = try writer.encode()
    let layout = try decode(concatenated(payload))
    #expect(layout.header == payload.header)
    #expect(layout.header.metadata == writer.metadata)
}

@Test func headerErrorsNameTheTensorAndDescribeThemselves() {
    let json = oneTensor(dtype: "\"Q4\"")
    do {
        _ = try decode(safetensorsBytes(json: json, data: Array(repeating: 0, count: 8)))
        Issue.record("accepted an unknown dtype")
    } catch {
        #expect(error.tensor == "t")
        #expect(error.path == "<memory>")
        #expect(error.description.contains("<memory>: tensor t: unknown dtype \"Q4\""))
    }
}
