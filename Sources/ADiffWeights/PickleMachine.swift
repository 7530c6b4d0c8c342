import ADiffTensor

/// A value on the restricted unpickler's stack. Lists and dicts are references because pickle
/// memoises and then mutates them (`EMPTY_DICT, BINPUT, …, SETITEMS`).
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// A `LONG1`/`LONG4` integer wider than 64 bits; kept opaque.
    case largeInt
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Immutable; `depth` bounds tuple-in-tuple nesting so releasing it cannot overflow the stack.
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// An allowlisted global (callable or type), not yet called.
    case global(module: String, name: String)
    case dtype(DType)
    case storage(TorchStateDict.Storage)
    case tensor(TorchStateDict.TensorView)
    /// An allowlisted object we do not model (numpy scalars, training callbacks, sets).
    case opaque(String)

    var depth: Int { if case .tuple(_, let depth) = self { depth } else { 0 } }
}

/// A pickled list.
final class PickleList {
    var items: [PickleValue] = []
}

/// A pickled dict; string keys are indexed so `SETITEM` replaces like Python does.
final class PickleDict {
    var keys: [PickleValue] = []
    var values: [PickleValue] = []
    var stringIndex: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) {
        if case .string(let name) = key {
            if let index = stringIndex[name] {
                values[index] = value
                return
            }
            stringIndex[name] = keys.count
        }
        keys.append(key)
        values.append(value)
    }
}

/// The restricted unpickler: a pickle VM for protocols 2–5 that understands only pure data,
/// the globals a tensor state dict needs and the tensor rebuild calls.
///
/// It fails closed: any other global, any call of a non-allowlisted target, and the
/// text-form and object-building opcodes (`INST`, `OBJ`, `EXT*`, `PERSID`, …) are rejected
/// with `.unsafePickle` before anything else happens. Structural corruption is
/// `.corruptPickle`; operation, stack, memo, container and tensor counts are capped
/// (`.pickleLimitExceeded`). Shared references stay shared (no fan-out expansion).
struct PickleMachine {
    /// Caps on resources (checklist K6). A real SD checkpoint uses < 1 % of each.
    static let maximumOperations = 20_000_000
    static let maximumStackDepth = 1_000_000
    static let maximumMemoEntries = 1_000_000
    static let maximumContainers = 1_000_000
    static let maximumTensors = 1_000_000
    static let maximumTupleDepth = 256

    private let bytes: [UInt8]
    private let path: String
    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [UInt32: PickleValue] = [:]
    private var containers: [AnyObject] = []
    private var storages: [String: TorchStateDict.Storage] = [:]
    private var tensorCount = 0
    private var unbuiltObjects = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Empties every list and dict made, breaking reference cycles a hostile pickle can build.
    mutating func releaseContainers() {
        for container in containers {
            if let list = container as? PickleList { list.items = [] }
            if let dict = container as? PickleDict {
                dict.keys = []
                dict.values = []
            }
        }
        containers = []
        memo = [:]
        stack = []
    }

    // MARK: - Errors

    private func corrupt(_ what: String) -> WeightsError {
        WeightsError(.corruptPickle, "\(path): corrupt pickle at byte \(position): \(what)")
    }

    private func unsafe(_ what: String) -> WeightsError {
        WeightsError(.unsafePickle, "\(path): unsafe pickle rejected at byte \(position): \(what)")
    }

    private func limit(_ what: String) -> WeightsError {
        WeightsError(.pickleLimitExceeded, "\(path): pickle exceeds the limit on \(what)")
    }

    private func badTensor(_ what: String) -> WeightsError {
        WeightsError(.invalidTensorArguments, "\(path): invalid tensor at pickle byte \(position): \(what)")
    }

    // MARK: - Input

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw corrupt("\(count) bytes requested but \(bytes.count - position) remain")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func uint(_ width: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try take(width).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        return value
    }

    private mutating func length(_ width: Int) throws -> Int {
        let value = try uint(width)
        guard value <= UInt64(bytes.count - position) else {
            throw corrupt("length \(value) runs past the end of the pickle")
        }
        return Int(value)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw corrupt("unterminated line") }
        let text = try take(end - position)
        position += 1
        guard let string = String(validating: text, as: UTF8.self) else { throw corrupt("line is not UTF-8") }
        return string
    }

    private func utf8(_ slice: ArraySlice<UInt8>) throws -> String {
        guard let string = String(validating: slice, as: UTF8.self) else { throw corrupt("string is not UTF-8") }
        return string
    }

    // MARK: - Stack

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < Self.maximumStackDepth else { throw limit("stack depth (\(Self.maximumStackDepth))") }
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw corrupt("stack underflow") }
        return value
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw corrupt("no mark on the stack") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw corrupt("stack underflow") }
        return value
    }

    private mutating func tuple(_ items: [PickleValue]) throws -> PickleValue {
        let depth = 1 + (items.map(\.depth).max() ?? 0)
        guard depth <= Self.maximumTupleDepth else { throw limit("tuple nesting (\(Self.maximumTupleDepth))") }
        return .tuple(items, depth: depth)
    }

    private mutating func track(_ container: AnyObject) throws {
        guard containers.count < Self.maximumContainers else { throw limit("lists and dicts (\(Self.maximumContainers))") }
        containers.append(container)
    }

    private mutating func memoize(_ index: UInt32) throws {
        let value = try top()
        guard memo[index] != nil || memo.count < Self.maximumMemoEntries else {
            throw limit("memo entries (\(Self.maximumMemoEntries))")
        }
        memo[index] = value
    }

    // MARK: - Run

    /// Executes the pickle up to `STOP` and returns the single value left.
    mutating func run() throws -> PickleValue {
        var operations = 0
        while true {
            operations += 1
            guard operations <= Self.maximumOperations else { throw limit("operations (\(Self.maximumOperations))") }
            let opcode = try take(1).first!
            switch opcode {
            case 0x80:  // PROTO
                let version = try uint(1)
                guard version <= 5 else { throw corrupt("protocol \(version) is newer than 5") }
            case 0x95:  // FRAME
                _ = try length(8)
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1 else { throw corrupt("STOP with \(stack.count) values and \(marks.count) marks") }
                guard unbuiltObjects == 0 else { throw unsafe("an object created by NEWOBJ was never built") }
                return stack[0]
            case 0x28:  // MARK
                guard marks.count < Self.maximumStackDepth else { throw limit("marks") }
                marks.append(stack.count)
            case 0x30:  // POP
                _ = try pop()
            case 0x31:  // POP_MARK
                _ = try popMark()
            case 0x32:  // DUP
                try push(try top())
            case 0x7D:  // EMPTY_DICT
                let dict = PickleDict()
                try track(dict)
                try push(.dict(dict))
            case 0x5D:  // EMPTY_LIST
                let list = PickleList()
                try track(list)
                try push(.list(list))
            case 0x8F:  // EMPTY_SET
                try push(.opaque("set"))
            case 0x90:  // ADDITEMS
                _ = try popMark()
                guard case .opaque("set") = try top() else { throw corrupt("ADDITEMS on a non-set") }
            case 0x91:  // FROZENSET
                _ = try popMark()
                try push(.opaque("frozenset"))
            case 0x29:  // EMPTY_TUPLE
                try push(.tuple([], depth: 1))
            case 0x74:  // TUPLE
                let items = try popMark()
                try push(try tuple(items))
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                var items: [PickleValue] = []
                for _ in 0..<Int(opcode - 0x84) { items.insert(try pop(), at: 0) }
                try push(try tuple(items))
            case 0x58:  // BINUNICODE
                try push(.string(try utf8(try take(try length(4)))))
            case 0x8C:  // SHORT_BINUNICODE
                try push(.string(try utf8(try take(try length(1)))))
            case 0x8D:  // BINUNICODE8
                try push(.string(try utf8(try take(try length(8)))))
            case 0x54, 0x55:  // BINSTRING, SHORT_BINSTRING: Python 2 str, decoded as UTF-8 like torch.load
                let raw = try take(try length(opcode == 0x54 ? 4 : 1))
                try push(String(validating: raw, as: UTF8.self).map { .string($0) } ?? .bytes(Array(raw)))
            case 0x42, 0x43, 0x8E:  // BINBYTES, SHORT_BINBYTES, BINBYTES8
                let width = opcode == 0x42 ? 4 : opcode == 0x43 ? 1 : 8
                try push(.bytes(Array(try take(try length(width)))))
            case 0x4A:  // BININT
                try push(.int(Int(Int32(bitPattern: UInt32(try uint(4))))))
            case 0x4B:  // BININT1
                try push(.int(Int(try uint(1))))
            case 0x4D:  // BININT2
                try push(.int(Int(try uint(2))))
            case 0x8A, 0x8B:  // LONG1, LONG4
                let raw = try take(try length(opcode == 0x8A ? 1 : 4))
                if raw.count > 8 {
                    try push(.largeInt)
                } else {
                    var value: UInt64 = 0
                    for (i, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
                    if let last = raw.last, last & 0x80 != 0, raw.count < 8 { value |= ~0 << (8 * UInt64(raw.count)) }
                    try push(.int(Int(Int64(bitPattern: value))))
                }
            case 0x47:  // BINFLOAT (big-endian)
                var bits: UInt64 = 0
                for byte in try take(8) { bits = bits << 8 | UInt64(byte) }
                try push(.float(Double(bitPattern: bits)))
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4E: try push(.none)  // NONE
            case 0x71:  // BINPUT
                try memoize(UInt32(try uint(1)))
            case 0x72:  // LONG_BINPUT
                try memoize(UInt32(try uint(4)))
            case 0x94:  // MEMOIZE
                try memoize(UInt32(truncatingIfNeeded: memo.count))
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = UInt32(try uint(opcode == 0x68 ? 1 : 4))
                guard let value = memo[index] else { throw corrupt("memo slot \(index) is empty") }
                try push(value)
            case 0x63:  // GLOBAL
                let module = try line()
                let name = try line()
                try push(try global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw corrupt("STACK_GLOBAL needs two strings")
                }
                try push(try global(module: module, name: name))
            case 0x52:  // REDUCE
                let arguments = try pop()
                let callable = try pop()
                guard case .tuple(let items, _) = arguments else { throw corrupt("REDUCE arguments are not a tuple") }
                try push(try call(callable, items))
            case 0x81:  // NEWOBJ
                _ = try pop()
                let type = try pop()
                guard case .global(let module, let name) = type, Self.opaqueTypes.contains("\(module).\(name)") else {
                    throw unsafe("NEWOBJ of \(describe(type))")
                }
                unbuiltObjects += 1
                try push(.opaque("\(module).\(name)"))
            case 0x62:  // BUILD: state is discarded; only containers, tensors and opaque objects accept it
                _ = try pop()
                switch try top() {
                case .opaque:
                    unbuiltObjects = max(0, unbuiltObjects - 1)
                case .dict, .tensor:
                    break
                case let target:
                    throw unsafe("BUILD on \(describe(target))")
                }
            case 0x51:  // BINPERSID
                try push(.storage(try storage(try pop())))
            case 0x73:  // SETITEM
                let value = try pop()
                let key = try pop()
                guard case .dict(let dict) = try top() else { throw corrupt("SETITEM on a non-dict") }
                dict.set(key, value)
            case 0x75:  // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw corrupt("SETITEMS with an odd number of values") }
                guard case .dict(let dict) = try top() else { throw corrupt("SETITEMS on a non-dict") }
                for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
            case 0x61:  // APPEND
                let value = try pop()
                guard case .list(let list) = try top() else { throw corrupt("APPEND on a non-list") }
                list.items.append(value)
            case 0x65:  // APPENDS
                let items = try popMark()
                guard case .list(let list) = try top() else { throw corrupt("APPENDS on a non-list") }
                list.items.append(contentsOf: items)
            default:
                throw unsafe("opcode 0x\(String(opcode, radix: 16)) \(Self.opcodeName(opcode)) is not allowed")
            }
        }
    }

    private static func opcodeName(_ opcode: UInt8) -> String {
        switch opcode {
        case 0x69: "(INST)"
        case 0x6F: "(OBJ)"
        case 0x82, 0x83, 0x84: "(EXT)"
        case 0x50: "(PERSID)"
        case 0x92: "(NEWOBJ_EX)"
        case 0x97, 0x98: "(out-of-band buffer)"
        default: ""
        }
    }

    private func describe(_ value: PickleValue) -> String {
        switch value {
        case .global(let module, let name): "\(module).\(name)"
        case .opaque(let name): name
        case .dict: "a dict"
        case .list: "a list"
        case .tuple: "a tuple"
        case .tensor: "a tensor"
        case .storage: "a storage"
        default: "a scalar"
        }
    }

    // MARK: - Allowlist

    private static let storageTypes: [String: DType?] = [
        "torch.DoubleStorage": .float64, "torch.FloatStorage": .float32, "torch.HalfStorage": .float16,
        "torch.BFloat16Storage": .bfloat16, "torch.LongStorage": .int64, "torch.IntStorage": .int32,
        "torch.ShortStorage": .int16, "torch.CharStorage": .int8, "torch.ByteStorage": .uint8,
        "torch.BoolStorage": .bool, "torch.storage.UntypedStorage": nil, "torch.UntypedStorage": nil,
    ]

    private static let dtypes: [String: DType] = [
        "torch.float64": .float64, "torch.float32": .float32, "torch.float16": .float16, "torch.bfloat16": .bfloat16,
        "torch.float8_e4m3fn": .float8E4M3, "torch.float8_e5m2": .float8E5M2, "torch.int64": .int64,
        "torch.int32": .int32, "torch.int16": .int16, "torch.int8": .int8, "torch.uint8": .uint8, "torch.bool": .bool,
    ]

    /// Callables with data-only semantics implemented here.
    private static let functions: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.Size",
        "_codecs.encode",
    ]

    /// Types whose instances are accepted and discarded (checkpoint extras, never weights).
    private static let opaqueTypes: Set<String> = [
        "__builtin__.set", "builtins.set", "torch.nn.modules.container.ParameterDict",
        "numpy.core.multiarray.scalar", "numpy.core.multiarray._reconstruct", "numpy.dtype", "numpy.ndarray",
        "numpy._core.multiarray.scalar", "numpy._core.multiarray._reconstruct",
        "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
    ]

    private func global(module: String, name: String) throws -> PickleValue {
        let qualified = "\(module).\(name)"
        if let dtype = Self.dtypes[qualified] { return .dtype(dtype) }
        if Self.storageTypes[qualified] != nil || Self.functions.contains(qualified) || Self.opaqueTypes.contains(qualified) {
            return .global(module: module, name: name)
        }
        throw unsafe("global \(qualified) is not allowed")
    }

    private mutating func call(_ callable: PickleValue, _ arguments: [PickleValue]) throws -> PickleValue {
        guard case .global(let module, let name) = callable else { throw unsafe("REDUCE on \(describe(callable))") }
        let qualified = "\(module).\(name)"
        switch qualified {
        case "collections.OrderedDict":
            guard arguments.isEmpty else { throw corrupt("OrderedDict called with arguments") }
            let dict = PickleDict()
            try track(dict)
            return .dict(dict)
        case "torch._utils._rebuild_tensor_v2":
            guard arguments.count == 6 || arguments.count == 7 else { throw badTensor("_rebuild_tensor_v2 takes 6 or 7 arguments") }
            return try rebuildTensor(arguments, dtype: nil)
        case "torch._utils._rebuild_tensor_v3":
            guard arguments.count == 7 || arguments.count == 8, case .dtype(let dtype) = arguments[6] else {
                throw badTensor("_rebuild_tensor_v3 takes 7 or 8 arguments ending in a dtype")
            }
            return try rebuildTensor(arguments, dtype: dtype)
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard arguments.count == (name == "_rebuild_parameter" ? 3 : 4), case .tensor = arguments[0] else {
                throw badTensor("\(name) needs a tensor and \(name == "_rebuild_parameter" ? 2 : 3) more arguments")
            }
            return arguments[0]
        case "torch.Size":
            guard arguments.count == 1, case .tuple = arguments[0] else { throw corrupt("torch.Size needs one tuple") }
            return arguments[0]
        case "_codecs.encode":
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let encoding) = arguments[1],
                ["latin1", "latin-1"].contains(encoding.lowercased())
            else { throw unsafe("_codecs.encode is allowed only for latin-1 strings") }
            var result: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw corrupt("_codecs.encode of a non-latin-1 character") }
                result.append(UInt8(scalar.value))
            }
            return .bytes(result)
        case _ where Self.opaqueTypes.contains(qualified):
            return .opaque(qualified)
        default:
            throw unsafe("call of \(qualified) is not allowed")
        }
    }

    /// Checks a persistent id `("storage", type, key, location, numel)` (checklist K3).
    private mutating func storage(_ id: PickleValue) throws -> TorchStateDict.Storage {
        func invalid(_ what: String) -> WeightsError {
            WeightsError(.invalidStorageReference, "\(path): invalid storage reference at pickle byte \(position): \(what)")
        }
        guard case .tuple(let items, _) = id, items.count == 5, case .string("storage") = items[0] else {
            throw invalid("persistent id is not a (\"storage\", type, key, location, numel) tuple")
        }
        guard case .global(let module, let name) = items[1], let dtype = Self.storageTypes["\(module).\(name)"] else {
            throw invalid("\(describe(items[1])) is not a storage type")
        }
        guard case .string(let key) = items[2], !key.isEmpty, !key.contains("/"), key != ".", key != ".." else {
            throw invalid("storage key is not a plain name")
        }
        guard case .string = items[3] else { throw invalid("storage location is not a string") }
        guard case .int(let count) = items[4], count >= 0 else { throw invalid("storage numel is not a non-negative integer") }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype?.byteSize ?? 1)
        guard !overflow else { throw invalid("storage \(key) size overflows") }
        let storage = TorchStateDict.Storage(key: key, dtype: dtype, byteCount: byteCount)
        if let previous = storages[key], previous != storage {
            throw WeightsError(.storageSizeMismatch, "\(path): storage \(key) is referenced with two different types or sizes")
        }
        storages[key] = storage
        return storage
    }

    /// Checks `_rebuild_tensor_v2/v3` arguments: the view must lie inside its storage (checklist K4).
    private mutating func rebuildTensor(_ arguments: [PickleValue], dtype explicitDType: DType?) throws -> PickleValue {
        guard case .storage(let storage) = arguments[0] else { throw badTensor("first argument is not a storage") }
        guard case .int(let offset) = arguments[1], offset >= 0 else { throw badTensor("storage offset is not a non-negative integer") }
        func integers(_ value: PickleValue, _ what: String) throws -> [Int] {
            guard case .tuple(let items, _) = value else { throw badTensor("\(what) is not a tuple") }
            return try items.map {
                guard case .int(let v) = $0, v >= 0 else { throw badTensor("\(what) has a negative or non-integer entry") }
                return v
            }
        }
        let shape = try integers(arguments[2], "size")
        let strides = try integers(arguments[3], "stride")
        guard shape.count == strides.count else { throw badTensor("size has \(shape.count) dims but stride \(strides.count)") }
        let dtype: DType
        switch (storage.dtype, explicitDType) {
        case (let typed?, nil): dtype = typed
        case (nil, let explicit?): dtype = explicit
        case (let typed?, let explicit?) where typed == explicit: dtype = typed
        default: throw badTensor("dtype of storage \(storage.key) does not match the tensor's")
        }
        // Elements reached: offset + Σ (extent − 1) · stride, all with overflow checks.
        var elementCount = 1
        var last = offset
        for (extent, stride) in zip(shape, strides) {
            let (count, countOverflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !countOverflow else { throw badTensor("element count overflows") }
            elementCount = count
            if extent > 0 {
                let (reach, reachOverflow) = (extent - 1).multipliedReportingOverflow(by: stride)
                let (sum, sumOverflow) = last.addingReportingOverflow(reach)
                guard !reachOverflow, !sumOverflow else { throw badTensor("view extent overflows") }
                last = sum
            }
        }
        let storageElements = storage.byteCount / dtype.byteSize
        guard elementCount <= storageElements else {
            // Only broadcast (stride-0) or self-overlapping views have more elements than their
            // storage; torch never writes them for parameters, and expanding them is a memory bomb.
            throw badTensor("view has \(elementCount) elements but storage \(storage.key) holds \(storageElements)")
        }
        if elementCount > 0 {
            guard last < storageElements else {
                throw badTensor(
                    "view (offset \(offset), size \(shape), stride \(strides)) reaches element \(last) of storage \(storage.key) with \(storageElements)"
                )
            }
        }
        tensorCount += 1
        guard tensorCount <= Self.maximumTensors else { throw limit("tensors (\(Self.maximumTensors))") }
        return .tensor(
            TorchStateDict.TensorView(storage: storage, dtype: dtype, storageOffset: offset, shape: shape, strides: strides)
        )
    }
}
