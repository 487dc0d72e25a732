public import CairnCore

extension SafetensorsHeader {
    /// The alignment of the data buffer in files Cairn writes: HostBuffer's (and a cache line's) 64 bytes.
    public static let dataAlignment = HostBuffer.alignment

    /// The header as compact JSON: `__metadata__` first (keys in UTF-8 byte order), then the tensors in data
    /// order. The same header always gives the same bytes.
    public func encodedJSON() -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
        }
        if !metadata.isEmpty {
            separator()
            appendJSONString(Self.metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            for (position, key) in metadata.keys.sorted(by: utf8Precedes).enumerated() {
                if position > 0 { json.append(UInt8(ascii: ",")) }
                appendJSONString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                appendJSONString(metadata[key] ?? "", to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
        for tensor in tensors {
            separator()
            appendJSONString(tensor.name, to: &json)
            json.append(contentsOf: Array(":{\"dtype\":\"\(tensor.elementType.rawValue)\",\"shape\":[".utf8))
            json.append(contentsOf: Array(tensor.shape.map(String.init).joined(separator: ",").utf8))
            json.append(contentsOf: Array("],\"data_offsets\":[".utf8))
            json.append(
                contentsOf: Array("\(tensor.dataOffsets.lowerBound),\(tensor.dataOffsets.upperBound)]}".utf8))
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// The first bytes of a file with this header: the little-endian length, the JSON, and trailing spaces so
    /// that the data buffer starts at a multiple of ``dataAlignment``.
    ///
    /// Hugging Face readers accept the spaces (JSON whitespace) and do not require any particular alignment.
    public func encodedPrefix() -> HostBuffer {
        let json = encodedJSON()
        let unpadded = 8 + json.count
        let padded = (unpadded + Self.dataAlignment - 1) / Self.dataAlignment * Self.dataAlignment
        let buffer = HostBuffer(uninitializedByteCount: padded)
        let bytes = buffer.mutableBytes
        bytes.storeBytes(of: UInt64(padded - 8).littleEndian, toByteOffset: 0, as: UInt64.self)
        json.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: bytes[8..<unpadded]).copyMemory(from: source)
        }
        UnsafeMutableRawBufferPointer(rebasing: bytes[unpadded..<padded]).initializeMemory(
            as: UInt8.self, repeating: UInt8(ascii: " "))
        return buffer
    }
}

/// Appends `text` as a JSON string literal: quotes, backslashes and control characters escaped, other
/// characters as raw UTF-8.
func appendJSONString(_ text: String, to json: inout [UInt8]) {
    json.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            json.append(contentsOf: Array("\\u00".utf8))
            json.append(hex[Int(byte >> 4)])
            json.append(hex[Int(byte & 0xF)])
        default: json.append(byte)
        }
    }
    json.append(UInt8(ascii: "\""))
}
