/// Float buffers of exactly `count` elements whose allocation is never zero bytes, so empty shards still have a
/// valid base address and every buffer is freed the same way.
enum FloatBuffer {
    /// Allocates `count` uninitialized floats.
    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
        return UnsafeMutableBufferPointer(start: storage.baseAddress, count: count)
    }

    /// Allocates `count` zeroed floats.
    static func zeroed(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let buffer = allocate(count)
        buffer.initialize(repeating: 0)
        return buffer
    }

    /// Frees a buffer made by ``allocate(_:)``.
    static func free(_ buffer: UnsafeMutableBufferPointer<Float>) {
        buffer.baseAddress?.deallocate()
    }

    /// The first `count` elements of `buffer`.
    static func prefix(_ buffer: UnsafeMutableBufferPointer<Float>, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
    }
}
