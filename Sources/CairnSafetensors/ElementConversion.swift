import CairnCore

/// Widens raw little-endian tensor bytes of a float dtype into `Float`s.
///
/// Loads are unaligned-safe: tensors in files written by other tools need not be aligned to their element size.
enum ElementConversion {
    /// Whether `elementType` converts to `Float` (F32, F16, BF16, and F64 rounded to nearest).
    static func convertsToFloat(_ elementType: ElementType) -> Bool {
        switch elementType {
        case .float32, .float16, .bfloat16, .float64: true
        case .int64, .int32, .uint8: false
        }
    }

    /// Converts `source` (whole elements of `elementType`) into `destination`, which holds exactly as many floats.
    static func convert(
        _ source: UnsafeRawBufferPointer, from elementType: ElementType, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(
            source.count == destination.count * elementType.byteWidth,
            "ElementConversion: \(source.count) bytes of \(elementType.rawValue) for \(destination.count) floats")
        guard let target = destination.baseAddress, destination.count > 0 else { return }
        switch elementType {
        case .float32:
            UnsafeMutableRawPointer(target).copyMemory(from: source.baseAddress!, byteCount: source.count)
        case .bfloat16:
            for index in 0..<destination.count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                target[index] = HalfPrecision.float(fromBFloat16: bits)
            }
        case .float16:
            for index in 0..<destination.count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                target[index] = HalfPrecision.float(fromFloat16: bits)
            }
        case .float64:
            for index in 0..<destination.count {
                let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
                target[index] = Float(Double(bitPattern: bits))
            }
        case .int64, .int32, .uint8:
            preconditionFailure("ElementConversion: \(elementType.rawValue) does not convert to Float")
        }
    }
}

#if _endian(big)
    #error("CairnSafetensors assumes a little-endian host: safetensors data is little-endian and is mapped in place")
#endif
