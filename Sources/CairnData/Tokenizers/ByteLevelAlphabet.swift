/// GPT-2's reversible map between the 256 byte values and 256 printable Unicode scalars.
///
/// Byte-level BPE vocabularies spell tokens with these scalars so that every byte sequence, including spaces and
/// control bytes, is a string of visible characters (a space is `Ġ`, U+0120). The printable Latin-1 bytes
/// (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the other 68 bytes map, in byte order, to U+0100 onwards.
/// (Radford et al., GPT-2, `encoder.py`, `bytes_to_unicode`.)
enum ByteLevelAlphabet {
    /// The scalar that spells each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isSelfMapped(byte) {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte each alphabet scalar spells.
    static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    /// The alphabet spelling of `bytes`.
    static func spell(_ bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }

    /// The bytes a token spells, or `nil` when a scalar is outside the alphabet.
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byteForScalar[scalar] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private static func isSelfMapped(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
