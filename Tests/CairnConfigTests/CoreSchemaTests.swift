import CairnConfig
import CairnCore
import Testing

/// The core-schema table: each plain scalar's type, and which Swift types decode from it.
@Suite struct CoreSchemaTests {
    // MARK: - Text → type

    @Test(arguments: ["null", "Null", "NULL", "~", ""])
    func nullForms(text: String) {
        #expect(CoreSchema.resolve(text) == .null)
    }

    @Test(arguments: [
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
    ])
    func boolForms(text: String, value: Bool) {
        #expect(CoreSchema.resolve(text) == .bool(value))
    }

    @Test(arguments: [
        ("0", Int64(0)), ("42", 42), ("-17", -17), ("+8", 8), ("007", 7), ("0x1F", 31), ("0xff", 255), ("0o17", 15),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
    ])
    func integerForms(text: String, value: Int64) {
        #expect(CoreSchema.resolve(text) == .int(value))
    }

    @Test func integerOverflowIsStillAnInteger() {
        #expect(CoreSchema.resolve("9223372036854775808") == .int(nil))
    }

    @Test(arguments: [
        ("1.0e-4", 1.0e-4), ("1e-4", 1e-4), ("1E+3", 1000), (".5", 0.5), ("-.5", -0.5), ("5.", 5), ("3.14", 3.14),
        ("+1.5", 1.5), ("1e3", 1000), (".inf", Double.infinity), ("-.Inf", -Double.infinity), ("+.INF", .infinity),
    ])
    func floatForms(text: String, value: Double) {
        #expect(CoreSchema.resolve(text) == .float(value))
    }

    @Test(arguments: [".nan", ".NaN", ".NAN"])
    func nanForms(text: String) throws {
        guard case .float(let value) = CoreSchema.resolve(text) else {
            Issue.record("\(text) is not a float")
            return
        }
        #expect(value.isNaN)
    }

    /// YAML 1.1 spellings that the core schema reads as strings.
    @Test(arguments: [
        "yes", "no", "on", "off", "y", "0b101", "1_000", "12:30", "0x", "0o", "0o8", "0xG", "1e", "e3", ".", "-",
        "+", "1.2.3", "nan", "inf", "Infinity", "0X1F", "1,5", " 1", "null ", "~x", "tru", "adamw",
    ])
    func stringForms(text: String) {
        #expect(CoreSchema.resolve(text) == .string(text))
    }

    // MARK: - Type → accepted scalars

    struct Box<Value: Decodable>: Decodable {
        var value: Value
    }

    private func decodes<T: Decodable>(_ type: T.Type, _ scalar: String) -> Bool {
        (try? decode(Box<T>.self, "value: \(scalar)")) != nil
    }

    @Test func intDecodesOnlyFromIntegerScalars() throws {
        #expect(try decode(Box<Int>.self, "value: 0x10").value == 16)
        #expect(try decode(Box<Int>.self, "value: -3").value == -3)
        for rejected in ["1.5", "1e3", "1.0", "true", "'3'", "\"3\"", "abc", "null", "~", "[1]", "{a: 1}"] {
            #expect(!decodes(Int.self, rejected), "Int from \(rejected)")
        }
    }

    @Test func doubleDecodesFromFloatAndIntegerScalars() throws {
        #expect(try decode(Box<Double>.self, "value: 1e-4").value == 1e-4)
        #expect(try decode(Box<Double>.self, "value: 3").value == 3)
        #expect(try decode(Box<Double>.self, "value: 0x10").value == 16)
        #expect(try decode(Box<Double>.self, "value: .inf").value == .infinity)
        #expect(try decode(Box<Double>.self, "value: .nan").value.isNaN)
        #expect(try decode(Box<Float>.self, "value: 0.25").value == 0.25)
        for rejected in ["true", "'1.5'", "abc", "null", "[1.5]"] {
            #expect(!decodes(Double.self, rejected), "Double from \(rejected)")
        }
    }

    @Test func boolDecodesOnlyFromBoolScalars() throws {
        #expect(try decode(Box<Bool>.self, "value: True").value == true)
        #expect(try decode(Box<Bool>.self, "value: FALSE").value == false)
        for rejected in ["yes", "on", "1", "0", "'true'", "null"] {
            #expect(!decodes(Bool.self, rejected), "Bool from \(rejected)")
        }
    }

    @Test func stringDecodesFromAnyNonNullScalar() throws {
        #expect(try decode(Box<String>.self, "value: true").value == "true")
        #expect(try decode(Box<String>.self, "value: 1e-4").value == "1e-4")
        #expect(try decode(Box<String>.self, "value: 0x10").value == "0x10")
        #expect(try decode(Box<String>.self, "value: 'null'").value == "null")
        #expect(try decode(Box<String>.self, "value: \"\"").value == "")
        for rejected in ["null", "~", "", "[a]", "{a: b}"] {
            #expect(!decodes(String.self, rejected), "String from \(rejected)")
        }
    }

    @Test func optionalDecodesNullFormsAsNil() throws {
        for null in ["null", "Null", "NULL", "~", ""] {
            #expect(try decode(Box<Int?>.self, "value: \(null)").value == nil, "Int? from \(null)")
        }
        #expect(try decode(Box<String?>.self, "value: 'null'").value == "null")
    }

    @Test func integersOutsideTheTargetTypeAreOutOfRange() throws {
        let error = try #require(configurationError { _ = try decode(Box<UInt8>.self, "value: 300") })
        #expect(error.code == .outOfRange)
        #expect(error.description == "test.yaml:1:8: value: 300 is out of range for UInt8 (0…255)")
        let huge = try #require(configurationError { _ = try decode(Box<Int>.self, "value: 99999999999999999999") })
        #expect(huge.code == .outOfRange)
        #expect(try decode(Box<UInt64>.self, "value: 18446744073709551615").value == UInt64.max)
        let tooBig = try #require(configurationError { _ = try decode(Box<Double>.self, "value: 1e999") })
        #expect(tooBig.code == .outOfRange)
        let floatTooBig = try #require(configurationError { _ = try decode(Box<Float>.self, "value: 1e300") })
        #expect(floatTooBig.code == .outOfRange)
    }
}
