import CairnCore
import Testing

@testable import CairnData

@Test func jsonParserReadsEveryKindOfValue() throws {
    let value = try parseJSON(
        #" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83c\udf89", "c": {}} "#)
    #expect(
        value
            == .object([
                "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
                "b": .string("x\"\\/\u{8}\u{c}\n\r\té🎉"), "c": .object([:]),
            ]))
}

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
func jsonParserReportsSyntaxErrorsWithPosition(text: String, message: String, line: Int, column: Int) {
    #expect(throws: JSONSyntaxError(message: message, line: line, column: column)) { try parseJSON(text) }
}

@Test func jsonParserLimitsNesting() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONSyntaxError.self) { try parseJSON(deep) }
    let allowed =
        String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
    #expect(throws: Never.self) { try parseJSON(allowed) }
}

@Test func jsonParserRejectsInvalidUTF8() {
    let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
    #expect(throws: JSONSyntaxError(message: "invalid UTF-8 in a string", line: 1, column: 2)) {
        try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
    }
}

@Test func jsonParserReportsTheLineOfEachArrayElement() throws {
    let text = "\u{FEFF}[\n  {\"a\": 1},\n\n  {\"a\":\n 2}, 3\n]\n"
    let elements = try Array(text.utf8).withUnsafeBufferPointer { try JSONParser.parseArrayElements($0) }
    #expect(elements.map(\.line) == [2, 4, 5])
    #expect(elements.map(\.value) == [.object(["a": .number(1)]), .object(["a": .number(2)]), .number(3)])
}

@Test func jsonParserNeverCrashesOnMutatedInput() {
    let text =
        #"{"messages": [{"role": "user", "content": "What is 7 times 8? \u00e9\ud83c\udf89"}, "#
        + #"{"role": "assistant", "content": [1, 2.5e-3, true, null]}]}"#
    let original = Array(text.utf8)
    var generator = PhiloxRandom(seed: 3, label: "json-fuzz")
    var parsed = 0
    for round in 0..<1000 {
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
            _ = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
            parsed += 1
        } catch let error as JSONSyntaxError {
            let lines = 1 + bytes.filter { $0 == 0x0A }.count
            #expect((1...lines).contains(error.line) && (1...(bytes.count + 1)).contains(error.column))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
    #expect(parsed < 1000)
}
