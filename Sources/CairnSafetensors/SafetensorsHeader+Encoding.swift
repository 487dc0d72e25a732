public import CairnCore
import CairnJSON

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
            JSONWriter.appendString(Self.metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            for (position, key) in metadata.keys.sorted(by: utf8Precedes).enumerated() {
                if position > 0 { json.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                JSONWriter.appendString(metadata[key] ?? "", to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
        for tensor in tensors {
            separator()
            JSONWriter.appendString(tensor.name, to: &json)
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
