/// The data a PyTorch `.pt` / `.ckpt` file can hold as far as model files need: nested
/// string-keyed dicts of tensors, strings, integers, booleans and None.
public indirect enum TorchPickleValue: Sendable, Equatable {
    /// Python `None`.
    case none
    /// Python `bool`.
    case bool(Bool)
    /// Python `int` (64-bit range).
    case int(Int64)
    /// Python `str`.
    case string(String)
    /// A `torch.Tensor` (contiguous, on the CPU).
    case tensor(StoredTensor)
    /// A Python `dict` with string keys, in insertion order.
    case dict([(key: String, value: TorchPickleValue)])

    /// Structural equality (dict entries compared in order).
    public static func == (lhs: TorchPickleValue, rhs: TorchPickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.tensor(a), .tensor(b)): a == b
        case let (.dict(a), .dict(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}
