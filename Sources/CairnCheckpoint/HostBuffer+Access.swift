import CairnCore

/// Access to a buffer's bytes that keeps the buffer alive while they are used.
///
/// `buffer.bytes` is a raw pointer: in `Array(try await backend.read(…).bytes)` nothing keeps the temporary
/// buffer alive after the property returns, and Swift may free it before the array is built. A method's `self`
/// lives for the whole call, so every read-back of bytes in this module goes through these.
extension HostBuffer {
    /// A copy of the bytes.
    func byteArray() -> [UInt8] { Array(bytes) }

    /// Calls `body` with the bytes while the buffer is alive.
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(bytes)
    }

    /// The XXH3-128 digest of the bytes.
    func digest() -> String { CheckpointDigest.hex(of: bytes) }
}
