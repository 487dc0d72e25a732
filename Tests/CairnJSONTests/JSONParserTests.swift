import CairnCore
import CairnJSON
import Testing

private func parse(_ text: String, options: JSONParser.Options = .strict) throws(JSONSyntaxError) -> JSONValue {
    try JSONParser.parse(text, options: options)
}

private func parseBytes(_ bytes: [UInt8]) -> JSONValue? {
    try? JSONParser.parse(bytes)
}

// MARK: - Values

@Test func parserReadsEveryKindOfValue() throws {
    let value = try parse(
        #" {"a": [1, -2.5e+3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00", "c": {}} "#)
    let expected: JSONValue = [
        "a": [1, .number(JSONNumber(text: "-2.5e+3")!), true, false, .null],
        "b": "x\"\\/\u{08}\u{0C}\n\r\tAé😀",
        "c": .object(JSONObject()),
    ]
    #expect(value == expected)
    #expect(value["a"]?.arrayValue?[1].numberValue?.doubleValue == -2500)
}

@Test func parserKeepsMemberOrderAndPositions() throws {
    let text = "{\"z\": 1,\n  \"a\": 2}"
    let object = try #require(try parse(text).objectValue)
    #expect(object.keys == ["z", "a"])
    #expect(object.members[1].position == JSONPosition(offset: 11, line: 2, column: 3))
}

@Test func parserKeepsNumbersAsTextSoIntegersRoundTripExactly() throws {
    let value = try parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 1e3, -0]")
    let numbers = (value.arrayValue ?? []).compactMap(\.numberValue)
    try #require(numbers.count == 6)
    #expect(numbers.map(\.text) == ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.0", "1e3", "-0"])
    #expect(numbers.map(\.int64Value) == [Int64.max, Int64.min, nil, nil, nil, 0])
    #expect(numbers.map(\.nonNegativeInteger) == [Int.max, nil, nil, nil, nil, nil])
    #expect(numbers.map(\.integralValue) == [Int.max, Int.min, nil, 1, 1000, 0])
}

@Test func numbersConvertOnlyWhenPlainNonNegativeIntegers() {
    #expect(JSONValue.number(0).nonNegativeInteger == 0)
    #expect(JSONValue.number(JSONNumber(text: "1.0")!).nonNegativeInteger == nil)
    #expect(JSONValue.number(JSONNumber(text: "1e2")!).nonNegativeInteger == nil)
    #expect(JSONValue.string("1").nonNegativeInteger == nil)
    #expect(JSONNumber(text: "01") == nil && JSONNumber(text: "1.") == nil && JSONNumber(text: "+1") == nil)
}

// MARK: - Errors

@Test(arguments: [
    (#"{"a": 1,}"#, "expected a string key in an object", 1, 9),
    (#"{"a" 1}"#, "expected ':' after the object key \"a\"", 1, 6),
    ("[1, 2", "unexpected end of input inside an array", 1, 6),
    ("{\"a\":\n  tru}", "unexpected character 't', expected a value", 2, 3),
    (#"{"a": "x"#, "unterminated string", 1, 7),
    (#"{"a": 01}"#, "unexpected character '1', expected ',' or '}'", 1, 8),
    (#"{"a": 1, "a": 2}"#, "duplicate object key \"a\"", 1, 10),
    (#""\ud83c""#, "unpaired surrogate \\ud83c in a string", 1, 8),
    ("\"a\tb\"", "unescaped control character 0x9 in a string", 1, 3),
    ("[1] 2", "unexpected content after the JSON value", 1, 5),
])
func parserReportsSyntaxErrorsWithPosition(text: String, message: String, line: Int, column: Int) {
    do {
        _ = try parse(text)
        Issue.record("accepted \(text)")
    } catch {
        #expect(error.message == message)
        #expect(error.line == line && error.column == column, "\(error)")
    }
}

@Test(arguments: [
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "1.", ".5", "1e", "+1", "--1", "NaN",
    "Infinity", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
    "\"a\u{01}b\"", "\"tab\tinside\"", "{} {}", "[1 2]", "{\"a\" 1}", "// c\n{}", "{}/**/", "\u{FEFF}{}",
])
func parserRejectsInvalidText(_ text: String) {
    #expect(throws: JSONSyntaxError.self) { try parse(text) }
}

@Test func parserErrorsCarryTheirOffset() {
    #expect(throws: JSONSyntaxError(message: "expected a string key in an object", offset: 13, line: 1, column: 14)) {
        try parse("{\"a\": [1, 2],}")
    }
}

@Test func parserRejectsInvalidUTF8() {
    let invalid: [[UInt8]] = [
        [0x22, 0xFF, 0x22],  // invalid byte
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
        [0x22, 0x80, 0x22],  // lone continuation byte
        [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // invalid byte after an escape
        [0x7B, 0x22, 0xF0, 0x9F, 0x22, 0x3A, 0x31, 0x7D],  // invalid key
    ]
    for bytes in invalid {
        #expect(parseBytes(bytes) == nil, "\(bytes)")
    }
    #expect(parseBytes([0x22, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .string("€😀"))
    #expect(throws: JSONSyntaxError(message: "invalid UTF-8 in a string", offset: 1, line: 1, column: 2)) {
        try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22])
    }
}

// MARK: - Options

@Test func parserLimitsNesting() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONSyntaxError.self) { try parse(deep) }
    let limit = JSONParser.defaultMaximumDepth
    #expect(throws: Never.self) { try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) }
    let shallow = JSONParser.Options(maximumDepth: 3)
    #expect(throws: Never.self) { try parse(#"{"a": [{}]}"#, options: shallow) }
    #expect(throws: JSONSyntaxError.self) { try parse(#"{"a": [{"b": []}]}"#, options: shallow) }
}

@Test func parserKeepsDuplicateKeysWhenAsked() throws {
    let value = try parse(#"{"a":1,"a":2}"#, options: JSONParser.Options(rejectsDuplicateKeys: false))
    let object = try #require(value.objectValue)
    #expect(object.keys == ["a", "a"])
    #expect(object["a"] == 1)
}

@Test func parserSkipsAByteOrderMarkOnlyWhenAsked() throws {
    let text = "\u{FEFF}\n [1]"
    #expect(throws: JSONSyntaxError.self) { try parse(text) }
    #expect(try parse(text, options: JSONParser.Options(skipsByteOrderMark: true)) == [1])
}

// MARK: - Documents of records

@Test func parserReportsTheLineOfEachArrayElement() throws {
    let text = "\u{FEFF}[\n  {\"a\": 1},\n\n  {\"a\":\n 2}, 3\n]\n"
    let elements = try JSONParser.parseArrayElements(Array(text.utf8), options: .init(skipsByteOrderMark: true))
    #expect(elements.map(\.line) == [2, 4, 5])
    #expect(elements.map(\.value) == [["a": 1], ["a": 2], 3])
}

@Test func parserReadsJSONLinesSkippingBlankLines() throws {
    let text = "{\"a\": 1}\n\n  \r\n[2]\r\n\"x\""
    let records = try JSONParser.parseLines(Array(text.utf8))
    #expect(records == [JSONRecord(value: ["a": 1], line: 1), JSONRecord(value: [2], line: 4), JSONRecord(value: "x", line: 5)])
    #expect(try JSONParser.parseLines(Array(text.utf8), limit: 2).count == 2)
}

@Test func parserReportsJSONLinesErrorsInDocumentCoordinates() {
    let text = "{\"a\": 1}\n{\"a\": }\n"
    #expect(throws: JSONSyntaxError(message: "unexpected character '}', expected a value", offset: 15, line: 2, column: 7)) {
        try JSONParser.parseLines(Array(text.utf8))
    }
}

// MARK: - Hostile input

@Test func parserNeverCrashesOnMutatedInput() {
    let text =
        #"{"messages": [{"role": "user", "content": "What is 7 times 8? \u00e9\ud83c\udf89"}, "#
        + #"{"role": "assistant", "content": [1, 2.5e-3, true, null, -0, 123456789012345678901234567890]}]}"#
    let original = Array(text.utf8)
    var generator = PhiloxRandom(seed: 3, label: "json-fuzz")
    var parsed = 0
    for round in 0..<2000 {
        var bytes = original
        for _ in 0..<(1 + round % 4) {
            let index = Int(generator.next32() % UInt32(bytes.count))
            switch generator.next32() % 3 {
            case 0: bytes[index] = UInt8(truncatingIfNeeded: generator.next32())
            case 1: bytes.remove(at: index)
            default: bytes = Array(bytes.prefix(index))
            }
            if bytes.isEmpty { bytes = [0x7B] }
        }
        do {
            let value = try JSONParser.parse(bytes)
            parsed += 1
            // Whatever parses writes back to text that parses to the same value.
            #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
        } catch {
            let lines = 1 + bytes.filter { $0 == 0x0A }.count
            #expect((1...lines).contains(error.line) && (1...(bytes.count + 1)).contains(error.column))
            #expect((0...bytes.count).contains(error.offset))
        }
    }
    #expect(parsed < 2000)
}
