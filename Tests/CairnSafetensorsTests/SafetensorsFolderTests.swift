import CairnCore
import Testing

@testable import CairnSafetensors

/// Writes two shards and an index (as `save_pretrained` lays them out) and returns the folder.
private func shardedFolder(index json: String? = nil) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory()
    var first = SafetensorsWriter(metadata: ["format": "pt"])
    try first.add("a", elementType: .bfloat16, shape: [2], bytes: HostBuffer(copying: [UInt16(0x3F80), 0x4000]))
    try first.add("b", shape: [1], floats: [3])
    try first.write(to: directory.file("model-00001-of-00002.safetensors"))
    var second = SafetensorsWriter(metadata: ["format": "pt"])
    try second.add("c", elementType: .float16, shape: [1], bytes: HostBuffer(copying: [UInt16(0x4400)]))
    try second.write(to: directory.file("model-00002-of-00002.safetensors"))
    let index = json ?? #"{"metadata": {"total_size": 10}, "weight_map": {"a": "model-00001-of-00002.safetensors", "#
        + #""b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}"#
    try directory.write(Array(index.utf8), to: SafetensorsIndex.fileName)
    return directory
}

@Test func folderOpensShardsThroughTheIndex() throws {
    let directory = try shardedFolder()
    let folder = try SafetensorsFolder(contentsOf: directory.path)
    #expect(folder.index != nil)
    #expect(folder.files.count == 2)
    #expect(folder.tensorNames == ["a", "b", "c"])
    #expect(try folder.floats("a") == [1, 2])
    #expect(try folder.floats("b") == [3])
    #expect(try folder.floats("c") == [4])
    #expect(try folder.info("c").elementType == .float16)
    #expect(try folder.file(containing: "c").path.hasSuffix("model-00002-of-00002.safetensors"))
    #expect(errorCode { () throws(SafetensorsError) in try folder.floats("d") } == .tensorNotFound)
}

@Test func folderOpensASingleFile() throws {
    let directory = try TemporaryDirectory()
    var writer = SafetensorsWriter()
    try writer.add("w", shape: [2], floats: [5, 6])
    try writer.write(to: directory.file(SafetensorsFolder.singleFileName))
    let folder = try SafetensorsFolder(contentsOf: directory.path + "/")
    #expect(folder.index == nil)
    #expect(try folder.floats("w") == [5, 6])
    var destination = [Float](repeating: 0, count: 1)
    try destination.withUnsafeMutableBufferPointer { buffer throws(SafetensorsError) in
        try folder.readFloats("w", elements: 1..<2, into: buffer)
    }
    #expect(destination == [6])
}

@Test func folderRejectsIndexesThatDisagreeWithTheirShards() throws {
    let missingTensor = #"{"weight_map": {"a": "model-00001-of-00002.safetensors", "#
        + #""b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors", "#
        + #""z": "model-00002-of-00002.safetensors"}}"#
    let missingEntry = #"{"weight_map": {"a": "model-00001-of-00002.safetensors", "#
        + #""c": "model-00002-of-00002.safetensors"}}"#
    let wrongFile = #"{"weight_map": {"a": "model-00001-of-00002.safetensors", "#
        + #""b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}"#
    let missingShard = #"{"weight_map": {"a": "model-00003-of-00002.safetensors"}}"#
    let escaping = #"{"weight_map": {"a": "../model-00001-of-00002.safetensors"}}"#
    let cases: [(String, SafetensorsError.Code)] = [
        (missingTensor, .tensorNotFound), (missingEntry, .malformedIndex), (wrongFile, .malformedIndex),
        (missingShard, .fileNotFound), (escaping, .unsafePath),
    ]
    for (json, expected) in cases {
        let directory = try shardedFolder(index: json)
        #expect(errorCode { () throws(SafetensorsError) in try SafetensorsFolder(contentsOf: directory.path) } == expected)
    }
    let empty = try TemporaryDirectory()
    #expect(errorCode { () throws(SafetensorsError) in try SafetensorsFolder(contentsOf: empty.path) } == .fileNotFound)
}
