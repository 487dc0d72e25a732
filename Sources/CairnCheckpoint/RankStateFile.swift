public import CairnCore
import CairnJSON

/// The non-tensor state of one rank, as `ranks/rank-NNNNN.json` holds it.
///
/// Every value carries an explicit type tag so that nothing is guessed when it is read back: `int` values are
/// 64-bit integers written exactly, `double` values are written in Swift's shortest round-trip form (or, for
/// NaN and the infinities, which JSON cannot hold, as the hex of their bit pattern), lists of integers, strings
/// and booleans as themselves.
///
/// ```json
/// {"format": "cairn-rank-state", "version": 1, "rank": 0, "world_size": 2,
///  "values": {"rng.seed": {"type": "int", "value": 42}, "train_state.epoch": {"type": "double", "value": 0.5}}}
/// ```
public enum RankStateFile {
    /// `format` of the file.
    public static let formatName = "cairn-rank-state"
    /// `version` of the file this library writes and reads.
    public static let formatVersion = 1
    /// The largest rank file read (100 MB).
    public static let maximumByteCount = 100_000_000

    // MARK: - Encoding

    /// The file for the non-tensor values of `state` (tensors are skipped), keys in canonical order.
    public static func encode(_ state: StateDict, rank: Int, worldSize: Int) -> [UInt8] {
        var values = JSONObject()
        for (key, value) in state.entries {
            guard let tagged = tagged(value) else { continue }
            values.append(key: key.rawValue, value: tagged)
        }
        let document: JSONValue = [
            "format": .string(formatName), "version": .integer(formatVersion), "rank": .integer(rank),
            "world_size": .integer(worldSize), "values": .object(values),
        ]
        return JSONWriter.encode(document, options: JSONWriter.Options(indentation: 2)) + [UInt8(ascii: "\n")]
    }

    private static func tagged(_ value: StateValue) -> JSONValue? {
        switch value {
        case .tensor: return nil
        case .int(let number): return ["type": "int", "value": .integer(number)]
        case .ints(let numbers): return ["type": "ints", "value": .array(numbers.map { .integer($0) })]
        case .double(let number):
            if let finite = JSONValue.double(number) { return ["type": "double", "value": finite] }
            return ["type": "double", "bits": .string(hex(number.bitPattern))]
        case .string(let text): return ["type": "string", "value": .string(text)]
        case .bool(let flag): return ["type": "bool", "value": .bool(flag)]
        }
    }

    // MARK: - Decoding

    /// The values a rank file holds, after checking its format, rank and world size.
    /// - Throws: ``CheckpointError`` `.malformed` naming the file and the member.
    public static func decode(_ bytes: [UInt8], file: String, rank: Int, worldSize: Int) throws(CheckpointError) -> StateDict {
        guard bytes.count <= maximumByteCount else {
            throw CheckpointError(.malformed, file: file, "the file has \(bytes.count) bytes; at most \(maximumByteCount) are read")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, options: JSONParser.Options(maximumDepth: 16))
        } catch {
            throw CheckpointError(.malformed, file: file, "not valid JSON: \(error)", cause: error)
        }
        var fields = try JSONFields(root, path: "", file: file)
        guard try fields.string("format") == formatName, try fields.integer("version") == formatVersion else {
            throw CheckpointError(.malformed, file: file, "not a version \(formatVersion) \(formatName) file")
        }
        guard try fields.integer("rank") == rank, try fields.integer("world_size") == worldSize else {
            throw CheckpointError(.malformed, file: file, "the file belongs to another rank or world size than its name says")
        }
        let values = try fields.object("values")
        try fields.finish()
        var state = StateDict()
        for member in values.object {
            guard !member.key.isEmpty else { throw values.failure("", "a value has an empty key") }
            state[StateKey(member.key)] = try value(member.value, path: values.memberPath(member.key), file: file)
        }
        return state
    }

    private static func value(_ json: JSONValue, path: String, file: String) throws(CheckpointError) -> StateValue {
        var fields = try JSONFields(json, path: path, file: file)
        let type = try fields.string("type")
        let result: StateValue
        switch type {
        case "int":
            guard let number = try fields.value("value").int64Value else {
                throw fields.failure("value", "expected an integer within 64 bits")
            }
            result = .int(number)
        case "ints":
            var numbers: [Int64] = []
            for element in try fields.array("value") {
                guard let number = element.int64Value else { throw fields.failure("value", "expected integers within 64 bits") }
                numbers.append(number)
            }
            result = .ints(numbers)
        case "double":
            if fields.object.contains(key: "bits") {
                let text = try fields.string("bits")
                guard text.utf8.count == 16, let bits = UInt64(text, radix: 16) else {
                    throw fields.failure("bits", "expected 16 hex digits")
                }
                result = .double(Double(bitPattern: bits))
            } else {
                result = .double(try fields.double("value"))
            }
        case "string": result = .string(try fields.string("value"))
        case "bool": result = .bool(try fields.bool("value"))
        default: throw fields.failure("type", "unknown type \"\(type)\"; expected int, ints, double, string or bool")
        }
        try fields.finish()
        return result
    }

    private static func hex(_ bits: UInt64) -> String {
        let digits = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
