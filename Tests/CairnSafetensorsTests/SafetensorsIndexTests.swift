import CairnCore
import Testing

@testable import CairnSafetensors

private func index(_ json: String) throws(SafetensorsError) -> SafetensorsIndex {
    let bytes = Array(json.utf8)
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(SafetensorsError) in try SafetensorsIndex(json: buffer, path: "index.json") }
    }
    return try result.get()
}

@Test func indexParsesWhatTransformersWrites() throws {
    let parsed = try index(
        #"{"metadata": {"total_parameters": 90496, "total_size": 180992}, "weight_map": {"#
            + #""b": "model-00002-of-00002.safetensors", "a": "model-00001-of-00002.safetensors","#
            + #""c": "model-00001-of-00002.safetensors"}}"#)
    #expect(parsed.totalSize == 180992)
    #expect(parsed.fileNames == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
    #expect(parsed.tensorNames == ["a", "b", "c"])
    #expect(parsed.tensorNames(in: "model-00001-of-00002.safetensors") == ["a", "c"])
    #expect(try index(#"{"weight_map": {"a": "x.safetensors"}}"#).totalSize == nil)
}

@Test(arguments: [
    (#"[]"#, SafetensorsError.Code.malformedIndex),
    (#"{"#, .malformedIndex),
    (#"{}"#, .malformedIndex),
    (#"{"weight_map": {}}"#, .malformedIndex),
    (#"{"weight_map": []}"#, .malformedIndex),
    (#"{"weight_map": {"a": 1}}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "weight_map": {"a": "x"}}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "extra": 1}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "metadata": []}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "metadata": {"total_size": -1}}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "metadata": {"total_size": 1.5}}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x"}, "metadata": {"k": 1, "k": 2}}"#, .malformedIndex),
    (#"{"weight_map": {"a": "x", "a": "y"}}"#, .duplicateName),
    (#"{"weight_map": {"a": "../x.safetensors"}}"#, .unsafePath),
    (#"{"weight_map": {"a": "/etc/passwd"}}"#, .unsafePath),
    (#"{"weight_map": {"a": "sub/x.safetensors"}}"#, .unsafePath),
    (#"{"weight_map": {"a": "..\\x"}}"#, .unsafePath),
    (#"{"weight_map": {"a": ".."}}"#, .unsafePath),
    (#"{"weight_map": {"a": "."}}"#, .unsafePath),
    (#"{"weight_map": {"a": ""}}"#, .unsafePath),
    (#"{"weight_map": {"a": "x\u0000.safetensors"}}"#, .unsafePath),
])
func indexRejects(_ json: String, _ expected: SafetensorsError.Code) {
    #expect(errorCode { () throws(SafetensorsError) in try index(json) } == expected)
}

@Test func indexFileIsReadFromDisk() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(Array(#"{"weight_map": {"a": "x.safetensors"}}"#.utf8), to: "i.json")
    #expect(try SafetensorsIndex(contentsOf: path).weightMap == ["a": "x.safetensors"])
    #expect(errorCode { () throws(SafetensorsError) in try SafetensorsIndex(contentsOf: directory.file("no")) } == .fileNotFound)
}
