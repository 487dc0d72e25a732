import CairnCore

/// The digest of a buffer's bytes, computed while the buffer is alive (see `HostBuffer.withBytes(_:)`).
extension HostBuffer {
    /// The XXH3-128 digest of the bytes.
    func digest() -> String { CheckpointDigest.hex(of: bytes) }
}
