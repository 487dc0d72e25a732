/// The element type of a tensor as safetensors names it (`F32`, `BF16`, …).
///
/// Cairn computes in `float32`; the narrower float types appear only when reading Hugging Face weights, and
/// integer types for state such as token buffers.
public enum ElementType: String, CaseIterable, Hashable, Sendable, Codable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float64 = "F64"
    case int64 = "I64"
    case int32 = "I32"
    case uint8 = "U8"

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        case .uint8: 1
        }
    }
}
