/// A run of bytes in host memory that state dicts, checkpoint writers and collectives share without copying.
///
/// A buffer either owns a 64-byte aligned allocation (freed on deinit) or views memory kept alive by `owner`
/// (a tensor's storage, a memory-mapped file). Views let a synchronous save write live parameters straight to
/// disk and let a load read a memory-mapped checkpoint without an intermediate copy.
///
/// > Important: `HostBuffer` is `@unchecked Sendable` because the bytes move between a rank's training task and
/// > the background writer of an asynchronous save. Cairn only hands a buffer across tasks when nobody mutates it
/// > for the duration: an async save snapshots into buffers it owns, and a sync save finishes writing before the
/// > next step mutates the parameters. Code that shares a buffer must keep the same rule.
public final class HostBuffer: @unchecked Sendable {
    /// The first byte.
    public let baseAddress: UnsafeMutableRawPointer
    /// The number of bytes.
    public let byteCount: Int
    private let owner: AnyObject?
    private let ownsMemory: Bool

    /// The alignment of owned allocations: safetensors tensors are 64-byte aligned, and so are SIMD loads.
    public static let alignment = 64

    /// Allocates `byteCount` uninitialized bytes.
    public init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "HostBuffer: negative byte count \(byteCount)")
        self.baseAddress = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.byteCount = byteCount
        self.owner = nil
        self.ownsMemory = true
    }

    /// Allocates `byteCount` zeroed bytes.
    public convenience init(zeroedByteCount byteCount: Int) {
        self.init(uninitializedByteCount: byteCount)
        baseAddress.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    /// Allocates a copy of `bytes`.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(uninitializedByteCount: bytes.count)
        if let source = bytes.baseAddress { baseAddress.copyMemory(from: source, byteCount: bytes.count) }
    }

    /// Allocates a copy of `values`.
    public convenience init<T: BitwiseCopyable>(copying values: [T]) {
        let buffer = values.withUnsafeBytes { HostBuffer(copying: $0) }
        self.init(view: buffer.baseAddress, byteCount: buffer.byteCount, owner: buffer)
    }

    /// Views `byteCount` bytes at `baseAddress`, keeping `owner` alive as long as the view.
    public init(view baseAddress: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject?) {
        self.baseAddress = baseAddress
        self.byteCount = byteCount
        self.owner = owner
        self.ownsMemory = false
    }

    deinit {
        if ownsMemory { baseAddress.deallocate() }
    }

    /// A view of `range` bytes of this buffer, sharing its memory.
    public func slice(_ range: Range<Int>) -> HostBuffer {
        precondition(range.lowerBound >= 0 && range.upperBound <= byteCount, "HostBuffer.slice out of bounds")
        return HostBuffer(view: baseAddress + range.lowerBound, byteCount: range.count, owner: self)
    }

    /// The bytes, read-only.
    ///
    /// > Important: the pointer is valid only while the buffer is alive. On a temporary —
    /// > `Array(try await backend.read(…).bytes)` — nothing keeps the buffer alive after the property returns;
    /// > use ``byteArray()`` or ``withBytes(_:)`` there.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: baseAddress, count: byteCount) }

    /// A copy of the bytes (the buffer stays alive for the copy).
    public func byteArray() -> [UInt8] { Array(bytes) }

    /// Calls `body` with the bytes while the buffer is alive.
    public func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(bytes)
    }

    /// The bytes, writable.
    public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: baseAddress, count: byteCount)
    }

    /// The bytes as `count` elements of `T` (the byte count must be a multiple of `T`'s stride).
    public func elements<T: BitwiseCopyable>(of type: T.Type) -> UnsafeMutableBufferPointer<T> {
        precondition(byteCount % MemoryLayout<T>.stride == 0, "HostBuffer: \(byteCount) bytes is not whole \(T.self)s")
        return UnsafeMutableBufferPointer(
            start: baseAddress.assumingMemoryBound(to: T.self), count: byteCount / MemoryLayout<T>.stride)
    }

    /// Whether both buffers hold the same bytes.
    public func hasSameBytes(as other: HostBuffer) -> Bool {
        byteCount == other.byteCount && bytes.elementsEqual(other.bytes)
    }
}
