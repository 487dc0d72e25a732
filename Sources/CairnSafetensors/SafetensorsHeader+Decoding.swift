import CairnCore
import CairnJSON

extension SafetensorsHeader {
    /// Where the parts of a safetensors file lie, once its header is validated.
    public struct FileLayout: Hashable, Sendable {
        /// The validated header.
        public var header: SafetensorsHeader
        /// The byte offset of the data buffer in the file (8 + the header's length).
        public var dataOffset: Int
    }

    /// Validates a whole safetensors file held in memory: length prefix, header, and that the header's entries
    /// cover the rest of the bytes exactly.
    ///
    /// Reads nothing but the prefix and the header's bytes, so a hostile file cannot make it read elsewhere.
    /// - Parameters:
    ///   - fileBytes: The entire file.
    ///   - path: The file's path, for error messages.
    /// - Returns: The header and the offset of the data buffer.
    /// - Throws: ``SafetensorsError`` with code `truncated`, `headerTooLarge`, `malformedHeader`, `unknownDType`,
    ///   `badShape`, `badOffsets`, `sizeMismatch`, `overlap`, `gap` or `duplicateName`.
    public static func decodeFile(
        _ fileBytes: UnsafeRawBufferPointer, path: String? = nil
    ) throws(SafetensorsError) -> FileLayout {
        guard fileBytes.count >= 8 else {
            throw SafetensorsError(
                .truncated, path: path,
                "the file has \(fileBytes.count) bytes, fewer than the 8-byte header length prefix")
        }
        let announced = UInt64(littleEndian: fileBytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard announced <= UInt64(maximumByteCount) else {
            throw SafetensorsError(
                .headerTooLarge, path: path,
                "the header claims \(announced) bytes; at most \(maximumByteCount) are accepted")
        }
        let headerByteCount = Int(announced)
        guard headerByteCount <= fileBytes.count - 8 else {
            throw SafetensorsError(
                .truncated, path: path,
                "the header claims \(headerByteCount) bytes but the file has only \(fileBytes.count - 8) after the "
                    + "length prefix")
        }
        let json = UnsafeRawBufferPointer(rebasing: fileBytes[8..<8 + headerByteCount])
        let dataOffset = 8 + headerByteCount
        let header = try decode(json: json, dataByteCount: fileBytes.count - dataOffset, path: path)
        return FileLayout(header: header, dataOffset: dataOffset)
    }

    /// Parses and validates header JSON for a data buffer of `dataByteCount` bytes.
    /// - Throws: ``SafetensorsError`` with code `malformedHeader`, `unknownDType`, `badShape`, `badOffsets`,
    ///   `sizeMismatch`, `overlap`, `gap` or `duplicateName`.
    public static func decode(
        json: UnsafeRawBufferPointer, dataByteCount: Int, path: String? = nil
    ) throws(SafetensorsError) -> SafetensorsHeader {
        guard json.first == UInt8(ascii: "{") else {
            throw SafetensorsError(.malformedHeader, path: path, "the header does not start with '{'")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(json, options: headerParsingOptions)
        } catch {
            throw SafetensorsError(.malformedHeader, path: path, "the header is not valid JSON: \(error)", cause: error)
        }
        guard case .object(let members) = root else {
            throw SafetensorsError(.malformedHeader, path: path, "the header is not a JSON object")
        }
        var metadata: [String: String]?
        var tensors: [SafetensorsTensorInfo] = []
        var seenNames = Set<String>()
        for member in members {
            if member.key == metadataKey {
                guard metadata == nil else {
                    throw SafetensorsError(.duplicateName, path: path, "\(metadataKey) appears twice")
                }
                metadata = try decodeMetadata(member.value, path: path)
                continue
            }
            guard seenNames.insert(member.key).inserted else {
                throw SafetensorsError(
                    .duplicateName, path: path, tensor: member.key,
                    "the name appears twice in the header (second at byte \(member.position?.offset ?? 0))")
            }
            tensors.append(try decodeEntry(member, dataByteCount: dataByteCount, path: path))
        }
        let ordered = try orderedCoveringExactly(tensors, dataByteCount: dataByteCount, path: path)
        return SafetensorsHeader(orderedTensors: ordered, metadata: metadata ?? [:], dataByteCount: dataByteCount)
    }

    /// How header and index JSON is parsed: shallow (a header needs 3 levels, an index 2), and duplicate keys kept
    /// so the decoder can reject them as `duplicateName` with the tensor's name.
    static let headerParsingOptions = JSONParser.Options(maximumDepth: 64, rejectsDuplicateKeys: false)

    // MARK: - Entries

    private static func decodeMetadata(_ value: JSONValue, path: String?) throws(SafetensorsError) -> [String: String] {
        if value == .null { return [:] }  // Hugging Face's reader reads `null` as "no metadata"
        guard case .object(let members) = value else {
            throw SafetensorsError(
                .malformedHeader, path: path, "\(metadataKey) is \(value.kindName), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard let text = member.value.stringValue else {
                throw SafetensorsError(
                    .malformedHeader, path: path,
                    "\(metadataKey).\(member.key) is \(member.value.kindName); metadata values must be strings")
            }
            guard metadata.updateValue(text, forKey: member.key) == nil else {
                throw SafetensorsError(
                    .duplicateName, path: path, "\(metadataKey) has the key \(member.key) twice")
            }
        }
        return metadata
    }

    private static func decodeEntry(
        _ member: JSONMember, dataByteCount: Int, path: String?
    ) throws(SafetensorsError) -> SafetensorsTensorInfo {
        let name = member.key
        func failure(_ code: SafetensorsError.Code, _ message: String) -> SafetensorsError {
            SafetensorsError(code, path: path, tensor: name, message)
        }
        guard !name.isEmpty else { throw failure(.malformedHeader, "a tensor has an empty name") }
        guard case .object(let fields) = member.value else {
            throw failure(.malformedHeader, "the entry is \(member.value.kindName), not an object")
        }
        var dtypeValue: JSONValue?
        var shapeValue: JSONValue?
        var offsetsValue: JSONValue?
        for field in fields {
            switch field.key {
            case "dtype" where dtypeValue == nil: dtypeValue = field.value
            case "shape" where shapeValue == nil: shapeValue = field.value
            case "data_offsets" where offsetsValue == nil: offsetsValue = field.value
            case "dtype", "shape", "data_offsets": throw failure(.malformedHeader, "the entry has \(field.key) twice")
            default: throw failure(.malformedHeader, "the entry has an unknown field \"\(field.key)\"")
            }
        }
        guard let dtypeValue, let shapeValue, let offsetsValue else {
            throw failure(.malformedHeader, "the entry needs dtype, shape and data_offsets")
        }
        guard let dtypeName = dtypeValue.stringValue else {
            throw failure(.malformedHeader, "dtype is \(dtypeValue.kindName), not a string")
        }
        guard let elementType = ElementType(rawValue: dtypeName) else {
            let known = ElementType.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure(.unknownDType, "unknown dtype \"\(dtypeName)\"; Cairn reads \(known)")
        }
        guard case .array(let dimensions) = shapeValue else {
            throw failure(.malformedHeader, "shape is \(shapeValue.kindName), not an array")
        }
        var shape: [Int] = []
        for dimension in dimensions {
            guard let size = dimension.nonNegativeInteger else {
                throw failure(.badShape, "shape has \(describe(dimension)), not a non-negative integer")
            }
            shape.append(size)
        }
        guard let expectedByteCount = SafetensorsTensorInfo.checkedByteCount(shape: shape, width: elementType.byteWidth)
        else { throw failure(.badShape, "the byte size of shape \(shape) overflows") }
        guard case .array(let bounds) = offsetsValue, bounds.count == 2,
            let begin = bounds[0].nonNegativeInteger, let end = bounds[1].nonNegativeInteger
        else { throw failure(.badOffsets, "data_offsets must be [begin, end] with non-negative integers") }
        guard begin <= end else { throw failure(.badOffsets, "data_offsets [\(begin), \(end)] ends before it begins") }
        guard end <= dataByteCount else {
            throw failure(.badOffsets, "data_offsets [\(begin), \(end)] run past the \(dataByteCount)-byte data buffer")
        }
        guard end - begin == expectedByteCount else {
            throw failure(
                .sizeMismatch,
                "\(elementType.rawValue)\(shape) needs \(expectedByteCount) bytes but data_offsets span \(end - begin)")
        }
        return SafetensorsTensorInfo(name: name, elementType: elementType, shape: shape, dataOffsets: begin..<end)
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .number(let number) = value {
            return number.text.count > 40 ? "a \(number.text.count)-digit number" : number.text
        }
        return value.kindName
    }

    // MARK: - Coverage

    /// Orders entries by data offset and checks that they tile `0..<dataByteCount` with no overlap and no hole.
    private static func orderedCoveringExactly(
        _ tensors: [SafetensorsTensorInfo], dataByteCount: Int, path: String?
    ) throws(SafetensorsError) -> [SafetensorsTensorInfo] {
        let ordered = tensors.sorted { lhs, rhs in
            if lhs.dataOffsets.lowerBound != rhs.dataOffsets.lowerBound {
                return lhs.dataOffsets.lowerBound < rhs.dataOffsets.lowerBound
            }
            if lhs.dataOffsets.upperBound != rhs.dataOffsets.upperBound {
                return lhs.dataOffsets.upperBound < rhs.dataOffsets.upperBound
            }
            return utf8Precedes(lhs.name, rhs.name)
        }
        var covered = 0
        var previous: String?
        for tensor in ordered {
            let begin = tensor.dataOffsets.lowerBound
            if begin < covered {
                throw SafetensorsError(
                    .overlap, path: path, tensor: tensor.name,
                    "bytes \(begin)..<\(tensor.dataOffsets.upperBound) overlap tensor \(previous ?? "?") "
                        + "(which ends at \(covered))")
            }
            if begin > covered {
                throw SafetensorsError(
                    .gap, path: path, tensor: tensor.name,
                    "data bytes \(covered)..<\(begin) before this tensor belong to no tensor")
            }
            covered = tensor.dataOffsets.upperBound
            previous = tensor.name
        }
        guard covered == dataByteCount else {
            throw SafetensorsError(
                .gap, path: path,
                "data bytes \(covered)..<\(dataByteCount) at the end of the file belong to no tensor")
        }
        return ordered
    }
}
