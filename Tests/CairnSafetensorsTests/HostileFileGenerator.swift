import CairnCore

@testable import CairnSafetensors

/// Makes malformed (and some well-formed) safetensors files from a seed, for the hostile-file sweep.
///
/// Every case is labelled with its mutation kind; `mustReject` marks kinds that can never yield a valid file
/// (a truncation or a changed length prefix: the tensors of a valid file cover its data exactly, so any change of
/// the data size breaks the file).
struct HostileFileGenerator {
    struct Case {
        var kind: String
        var bytes: [UInt8]
        var mustReject: Bool
    }

    private var random: PhiloxRandom
    private let bases: [[UInt8]]

    init(seed: UInt64, bases: [[UInt8]]) {
        self.random = PhiloxRandom(seed: seed, label: "hostile-safetensors")
        self.bases = bases
    }

    /// Every truncation of every base file (each is invalid: the last tensors of the bases are not empty).
    func truncations() -> [Case] {
        bases.flatMap { base in
            (0..<base.count).map { Case(kind: "truncation", bytes: Array(base[..<$0]), mustReject: true) }
        }
    }

    /// One random case.
    mutating func next() -> Case {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return bitFlips()
        case 1: return headerByteEdit()
        case 2: return lengthPrefixChange()
        case 3: return garbageHeader()
        case 4, 5, 6: return structuredHeader()
        default: return splice()
        }
    }

    // MARK: - Byte-level mutations

    private mutating func base() -> [UInt8] { bases[Int.random(in: 0..<bases.count, using: &random)] }

    private mutating func headerEnd(of bytes: [UInt8]) -> Int {
        let announced = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        return min(bytes.count, 8 + Int(announced))
    }

    private mutating func bitFlips() -> Case {
        var bytes = base()
        // Mostly inside the prefix and header, where a flip changes meaning; sometimes in the data.
        let limit = Int.random(in: 0..<4, using: &random) == 0 ? bytes.count : headerEnd(of: bytes)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = Int.random(in: 0..<limit, using: &random)
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        }
        return Case(kind: "bit flip", bytes: bytes, mustReject: false)
    }

    private mutating func headerByteEdit() -> Case {
        var bytes = base()
        let interesting = Array("{}[]\",:-.09e\\ \0".utf8) + [0xFF, 0xC3, 0x80]
        let end = headerEnd(of: bytes)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = Int.random(in: 8..<end, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes[position] = interesting[Int.random(in: 0..<interesting.count, using: &random)]
            case 1: bytes.remove(at: position)  // shifts the data: the prefix no longer matches
            default: bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &random)], at: position)
            }
        }
        return Case(kind: "header byte edit", bytes: bytes, mustReject: false)
    }

    private mutating func lengthPrefixChange() -> Case {
        var bytes = base()
        let original = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let candidates: [UInt64] = [
            0, 1, 2, original - 1, original + 1, original + 8, UInt64(bytes.count), UInt64(bytes.count - 7),
            100_000_000, 100_000_001, 1 << 31, 1 << 32, 1 << 63, .max, random.next(),
            original &+ UInt64.random(in: 1...64, using: &random),
        ]
        let announced = candidates[Int.random(in: 0..<candidates.count, using: &random)]
        guard announced != original else { return lengthPrefixChange() }
        withUnsafeBytes(of: announced.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return Case(kind: "length prefix", bytes: bytes, mustReject: true)
    }

    private mutating func garbageHeader() -> Case {
        let count = Int.random(in: 0..<200, using: &random)
        let tokens = ["{", "}", "[", "]", ",", ":", "\"a\"", "\"dtype\"", "\"F32\"", "1", "-1", "1e9", "null", " ", "\""]
        var header: [UInt8] = []
        if Int.random(in: 0..<2, using: &random) == 0 {
            header = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
        } else {
            for _ in 0..<count / 4 { header += Array(tokens[Int.random(in: 0..<tokens.count, using: &random)].utf8) }
        }
        let data = (0..<Int.random(in: 0..<32, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        return Case(kind: "garbage header", bytes: prefixed(header) + data, mustReject: false)
    }

    private mutating func splice() -> Case {
        let (first, second) = (base(), base())
        let cut = Int.random(in: 0...first.count, using: &random)
        let other = Int.random(in: 0...second.count, using: &random)
        return Case(kind: "splice", bytes: Array(first[..<cut] + second[other...]), mustReject: false)
    }

    private func prefixed(_ header: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
    }

    // MARK: - Structured headers

    /// A header built from random entries, then corrupted in zero to two ways, with a matching data buffer.
    private mutating func structuredHeader() -> Case {
        let dtypes = ElementType.allCases
        var entries: [(name: String, fields: [(String, String)])] = []
        var offset = 0
        for index in 0..<Int.random(in: 0...4, using: &random) {
            let dtype = dtypes[Int.random(in: 0..<dtypes.count, using: &random)]
            let shape = (0..<Int.random(in: 0...3, using: &random)).map { _ in Int.random(in: 0...4, using: &random) }
            let size = shape.reduce(dtype.byteWidth, *)
            entries.append(
                (
                    "t\(index)",
                    [
                        ("dtype", "\"\(dtype.rawValue)\""), ("shape", "[\(shape.map(String.init).joined(separator: ","))]"),
                        ("data_offsets", "[\(offset),\(offset + size)]"),
                    ]
                ))
            offset += size
        }
        var dataCount = offset
        var metadata: String? = Int.random(in: 0..<3, using: &random) == 0 ? "{\"format\":\"pt\"}" : nil
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            corrupt(&entries, &metadata, &dataCount)
        }
        var members = entries.map { entry in
            "\"\(entry.name)\":{" + entry.fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        if let metadata {
            members.insert("\"__metadata__\":\(metadata)", at: Int.random(in: 0...members.count, using: &random))
        }
        let json = Array(("{" + members.joined(separator: ",") + "}").utf8)
        let padding = [UInt8](repeating: UInt8(ascii: " "), count: Int.random(in: 0..<3, using: &random) * 7)
        let data = (0..<max(0, dataCount)).map { _ in UInt8.random(in: 0...255, using: &random) }
        return Case(kind: "structured", bytes: prefixed(json + padding) + data, mustReject: false)
    }

    private mutating func corrupt(
        _ entries: inout [(name: String, fields: [(String, String)])], _ metadata: inout String?, _ dataCount: inout Int
    ) {
        let hostileValues = [
            "-1", "1.5", "1e2", "\"3\"", "null", "true", "[]", "{}", "[1]", "[0,1,2]", "4611686018427387904",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "-0", "[-1,4]", "[4,0]",
            "[0,99999999999]", "[1,2.0]", "[9223372036854775807,9223372036854775807]", "\"F8_E4M3\"", "\"bf16\"",
            "\"\"", "[4611686018427387904,4]", "[3037000500,3037000500]", "[1,[2]]",
        ]
        let value = hostileValues[Int.random(in: 0..<hostileValues.count, using: &random)]
        switch Int.random(in: 0..<9, using: &random) {
        case 0 where !entries.isEmpty:  // replace a field's value
            let entry = Int.random(in: 0..<entries.count, using: &random)
            let field = Int.random(in: 0..<entries[entry].fields.count, using: &random)
            entries[entry].fields[field].1 = value
        case 1 where !entries.isEmpty:  // drop a field
            let entry = Int.random(in: 0..<entries.count, using: &random)
            entries[entry].fields.remove(at: Int.random(in: 0..<entries[entry].fields.count, using: &random))
        case 2 where !entries.isEmpty:  // add a field (unknown or repeated)
            let entry = Int.random(in: 0..<entries.count, using: &random)
            let key = ["extra", "dtype", "shape", "data_offsets"][Int.random(in: 0..<4, using: &random)]
            entries[entry].fields.append((key, value))
        case 3 where entries.count >= 2:  // duplicate name, or copy another tensor's offsets (overlap)
            let (a, b) = (Int.random(in: 0..<entries.count, using: &random), Int.random(in: 0..<entries.count, using: &random))
            if Int.random(in: 0..<2, using: &random) == 0 || entries[a].fields.count < 3 || entries[b].fields.count < 3 {
                entries[a].name = entries[b].name
            } else {
                entries[a].fields[2] = entries[b].fields[2]
            }
        case 4 where !entries.isEmpty:  // move a tensor's offsets by a little
            let entry = Int.random(in: 0..<entries.count, using: &random)
            guard entries[entry].fields.count >= 3 else { return }
            let delta = Int.random(in: -3...3, using: &random)
            let text = entries[entry].fields[2].1.dropFirst().dropLast().split(separator: ",").compactMap { Int($0) }
            if text.count == 2 { entries[entry].fields[2].1 = "[\(text[0] &+ delta),\(text[1] &+ delta)]" }
        case 5:  // change the data size
            dataCount += Int.random(in: -3...3, using: &random)
        case 6:  // hostile metadata
            let metadataValues = ["{\"a\":1}", "{\"a\":\"x\",\"a\":\"y\"}", "[]", "\"x\"", "{\"a\":{}}", "null", "{}"]
            metadata = metadataValues[Int.random(in: 0..<metadataValues.count, using: &random)]
        case 7 where !entries.isEmpty:  // hostile name
            let names = ["", "__metadata__", "\\u0000", "\\ud800", "é", "a\\\"b", "\\u00e9"]
            entries[Int.random(in: 0..<entries.count, using: &random)].name = names[Int.random(in: 0..<names.count, using: &random)]
        default:  // shuffle the order of entries (valid: order in the header does not matter)
            entries.shuffle(using: &random)
        }
    }
}
