import CairnCore

extension SafetensorsFile {
    /// `name`'s elements as float32: F32 copied, BF16 and F16 widened exactly, F64 rounded to nearest.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound` or `unsupportedConversion` (integer dtypes).
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        return try floats(name, elements: 0..<info.elementCount)
    }

    /// Elements `elements` of `name`'s row-major flattening as float32.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`, `unsupportedConversion` or `outOfRange`.
    public func floats(_ name: String, elements: Range<Int>) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        try checkConvertible(info)
        let byteRange = try byteRange(of: info, elements: elements)
        let source = mappedBytes(dataRange: byteRange)
        return [Float](unsafeUninitializedCapacity: elements.count) { destination, initialized in
            ElementConversion.convert(source, from: info.elementType, into: destination)
            initialized = elements.count
        }
    }

    /// Converts elements `elements` of `name` (all of them when `nil`) to float32 into `destination`, which
    /// must hold exactly that many floats — how a model loads weights straight into its parameter storage.
    /// - Throws: ``SafetensorsError`` with code `tensorNotFound`, `unsupportedConversion` or `outOfRange`
    ///   (including a destination of the wrong size).
    public func readFloats(
        _ name: String, elements: Range<Int>? = nil, into destination: UnsafeMutableBufferPointer<Float>
    ) throws(SafetensorsError) {
        let info = try info(name)
        try checkConvertible(info)
        let range = elements ?? 0..<info.elementCount
        let byteRange = try byteRange(of: info, elements: range)
        guard destination.count == range.count else {
            throw SafetensorsError(
                .outOfRange, path: path, tensor: name,
                "the destination holds \(destination.count) floats but \(range.count) elements were requested")
        }
        ElementConversion.convert(mappedBytes(dataRange: byteRange), from: info.elementType, into: destination)
    }

    private func checkConvertible(_ info: SafetensorsTensorInfo) throws(SafetensorsError) {
        guard ElementConversion.convertsToFloat(info.elementType) else {
            throw SafetensorsError(
                .unsupportedConversion, path: path, tensor: info.name,
                "\(info.elementType.rawValue) is an integer dtype; read its bytes with bytes(_:) instead")
        }
    }
}
