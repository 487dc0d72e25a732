import CairnJSON
import Testing

@Test func writerEmitsCompactTextInMemberOrder() {
    let value: JSONValue = ["b": [1, "two", true, .null], "a": ["nested": 0.5]]
    #expect(JSONWriter.string(value) == #"{"b":[1,"two",true,null],"a":{"nested":0.5}}"#)
}

@Test func writerSortsKeysByUTF8BytesWhenAsked() {
    let value: JSONValue = ["é": 1, "b": 2, "B": 3, "a": ["z": 1, "y": 2]]
    #expect(JSONWriter.string(value, options: .canonical) == #"{"B":3,"a":{"y":2,"z":1},"b":2,"é":1}"#)
}

@Test func writerIndentsButKeepsScalarArraysOnOneLine() {
    let value: JSONValue = ["shape": [2, 3], "pieces": [["file": "a"]], "empty": [:], "none": []]
    let expected = """
        {
          "shape": [2, 3],
          "pieces": [
            {
              "file": "a"
            }
          ],
          "empty": {},
          "none": []
        }
        """
    #expect(JSONWriter.string(value, options: .init(indentation: 2)) == expected)
}

@Test func writerEscapesStrings() throws {
    let text = "q\"b\\s/n\nr\rt\tb\u{8}f\u{c}z\u{0}e\u{1F}é😀\u{7F}"
    let encoded = JSONWriter.string(.string(text))
    #expect(encoded == #""q\"b\\s/n\nr\rt\tb\bf\fz\u0000e\u001fé😀"# + "\u{7F}\"")
    #expect(try JSONParser.parse(encoded) == .string(text))
}

@Test func writerRoundTripsIntegersAndDoublesExactly() throws {
    let integers: [Int64] = [0, 1, -1, .max, .min, 1 << 53 + 1]
    let doubles: [Double] = [0.1, -0.0, 1e-5, 5e-324, .greatestFiniteMagnitude, 1.0 / 3.0, 123456789.125, 1e22]
    let value = JSONValue.array(integers.map { .integer($0) } + doubles.map { .double($0)! })
    let parsed = try JSONParser.parse(JSONWriter.encode(value))
    let numbers = (parsed.arrayValue ?? []).compactMap(\.numberValue)
    try #require(numbers.count == integers.count + doubles.count)
    #expect(numbers.prefix(integers.count).map(\.int64Value) == integers.map { $0 })
    for (number, double) in zip(numbers.dropFirst(integers.count), doubles) {
        #expect(number.doubleValue.bitPattern == double.bitPattern, "\(number) vs \(double)")
    }
    #expect(JSONValue.double(.nan) == nil && JSONValue.double(.infinity) == nil)
}

@Test func objectLookupWorksForSmallAndLargeObjects() {
    var object = JSONObject()
    for index in 0..<40 {
        object.append(key: "k\(index)", value: .integer(index))
        #expect(object["k\(index)"] == .integer(index))
        #expect(object["k0"] == 0)
    }
    object.append(key: "k3", value: "again")
    #expect(object["k3"] == 3 && object.count == 41)
    object["k3"] = "replaced"
    object["k5"] = nil
    #expect(object["k3"] == "replaced" && object["k5"] == nil && object["k6"] == 6 && object.count == 40)
    object["new"] = true
    #expect(object.keys.last == "new" && object["new"] == true)
}
