public import CairnCore
internal import CXXHash

/// XXH3-128 digests of checkpoint files, as 32 lowercase hex digits.
///
/// The hex is xxHash's canonical (big-endian) form, the one `xxh128sum` prints, so a digest in a manifest can be
/// checked by hand: `xxh128sum checkpoint-40/model/model.safetensors`. XXH3 hashes at memory speed (tens of GB/s
/// per core), so digesting a file before it is written costs little beside the write.
public enum CheckpointDigest {
    /// The digest of the concatenation of `parts`.
    public static func hex(of parts: [HostBuffer]) -> String {
        var stream = Stream()
        for part in parts { stream.update(part.bytes) }
        return stream.finalize()
    }

    /// The digest of `bytes`.
    public static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        var stream = Stream()
        stream.update(bytes)
        return stream.finalize()
    }

    /// The digest of `bytes`.
    public static func hex(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex(of: $0) }
    }

    /// Whether `text` has the form of a digest: 32 lowercase hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// An incremental digest: feed byte runs in order, then ``finalize()``.
    ///
    /// Not `Sendable`: one task feeds it.
    public struct Stream: ~Copyable {
        private let state: OpaquePointer

        /// Starts an empty digest.
        public init() {
            guard let state = XXH3_createState() else {
                preconditionFailure("CheckpointDigest: XXH3_createState could not allocate its state")
            }
            XXH3_128bits_reset(state)
            self.state = state
        }

        deinit {
            XXH3_freeState(state)
        }

        /// Adds `bytes` to the digest.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            XXH3_128bits_update(state, base, bytes.count)
        }

        /// The digest of everything added, as 32 lowercase hex digits.
        public consuming func finalize() -> String {
            var canonical = XXH128_canonical_t()
            XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state))
            let digits = Array("0123456789abcdef".utf8)
            var text: [UInt8] = []
            text.reserveCapacity(32)
            withUnsafeBytes(of: &canonical.digest) { bytes in
                for byte in bytes {
                    text.append(digits[Int(byte >> 4)])
                    text.append(digits[Int(byte & 0xF)])
                }
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
