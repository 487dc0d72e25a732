/// One value of training state.
///
/// Tensors go to safetensors files; every other case goes to JSON (`ranks/rank-NNNNN.json`,
/// `trainer_state.json`). Integers are 64-bit and written exactly; RNG words are stored as ``int`` bit patterns.
public enum StateValue: Sendable, Equatable {
    case tensor(StateTensor)
    case int(Int64)
    case ints([Int64])
    case double(Double)
    case string(String)
    case bool(Bool)

    /// The tensor, if this is one.
    public var tensor: StateTensor? {
        if case .tensor(let value) = self { return value }
        return nil
    }

    /// A short name of the case, for error messages.
    public var kindName: String {
        switch self {
        case .tensor(let t): "tensor \(t.layout)"
        case .int: "int"
        case .ints: "int list"
        case .double: "double"
        case .string: "string"
        case .bool: "bool"
        }
    }

    /// Whether the value is a tensor (stored in safetensors) rather than a scalar (stored in JSON).
    public var isTensor: Bool { tensor != nil }
}
