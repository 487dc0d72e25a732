import Testing

@testable import CairnSafetensors

private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    let bytes = Array(text.utf8)
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(JSONSyntaxError) in try StrictJSONParser.parse(buffer) }
    }
    return try result.get()
}

private func parseBytes(_ bytes: [UInt8]) -> JSONValue? {
    bytes.withUnsafeBytes { buffer in try? StrictJSONParser.parse(buffer) }
}

@Test func jsonParsesEveryKindOfValue() throws {
    let text = #" { "a" : [1, -2.5e+3, true, false, null, "x\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"], "b": {} } "#
    let value = try parse(text)
    let offsetOfB = Array(text.utf8).count - #""b": {} } "#.utf8.count
    let expected = JSONValue.object([
        JSONMember(
            key: "a",
            value: .array([
                .number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null,
                .string("x\"\\/\u{08}\u{0C}\n\r\tAé😀"),
            ]), offset: 3),
        JSONMember(key: "b", value: .object([]), offset: offsetOfB),
    ])
    #expect(value == expected)
}

@Test func jsonKeepsDuplicateKeysForTheCallerToReject() throws {
    let value = try parse(#"{"a":1,"a":2}"#)
    guard case .object(let members) = value else { Issue.record("not an object"); return }
    #expect(members.map(\.key) == ["a", "a"])
}

@Test(arguments: [
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "1.", ".5", "1e", "+1", "--1", "NaN",
    "Infinity", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
    "\"a\u{01}b\"", "\"tab\tinside\"", "{} {}", "[1 2]", "{\"a\" 1}", "// c\n{}", "{}/**/",
])
func jsonRejectsInvalidText(_ text: String) {
    #expect(throws: JSONSyntaxError.self) { try parse(text) }
}

@Test func jsonRejectsInvalidUTF8() {
    let invalid: [[UInt8]] = [
        [0x22, 0xFF, 0x22],  // invalid byte
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
        [0x22, 0x80, 0x22],  // lone continuation byte
    ]
    for bytes in invalid {
        #expect(parseBytes(bytes) == nil, "\(bytes)")
    }
    #expect(parseBytes([0x22, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .string("€😀"))
}

@Test func jsonLimitsNesting() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONSyntaxError.self) { try parse(deep) }
    let fine = String(repeating: "[", count: StrictJSONParser.maximumDepth)
        + String(repeating: "]", count: StrictJSONParser.maximumDepth)
    #expect(throws: Never.self) { try parse(fine) }
}

@Test func jsonNumbersConvertOnlyWhenPlainNonNegativeIntegers() {
    #expect(JSONValue.number("0").nonNegativeInteger == 0)
    #expect(JSONValue.number("9223372036854775807").nonNegativeInteger == Int.max)
    #expect(JSONValue.number("9223372036854775808").nonNegativeInteger == nil)
    #expect(JSONValue.number("-1").nonNegativeInteger == nil)
    #expect(JSONValue.number("1.0").nonNegativeInteger == nil)
    #expect(JSONValue.number("1e2").nonNegativeInteger == nil)
    #expect(JSONValue.string("1").nonNegativeInteger == nil)
}

@Test func jsonErrorsCarryTheirOffset() {
    do {
        _ = try parse("{\"a\": [1, 2,]}")
        Issue.record("accepted a trailing comma")
    } catch {
        #expect(error.offset == 12)
    }
}
