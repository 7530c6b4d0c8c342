import ADiffTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One tensor of a generated model: its name, shape, file dtype and how its values are made.
public struct TensorRecipe: Sendable, Equatable {
    /// How the values of a generated tensor are chosen.
    public enum Fill: Sendable, Equatable {
        /// U(−bound, bound), PyTorch's default for Linear/Conv weights and biases with
        /// `bound = 1/√fan_in`.
        case uniform(bound: Float)
        /// N(0, σ²), PyTorch's default for `nn.Embedding` (σ = 1).
        case normal(standardDeviation: Float)
        /// Every element equal (norm weights 1, norm biases 0, LoRA alphas).
        case constant(Float)
        /// AnimateDiff's sinusoidal position table `[1, L, C]`: channel 2i of row p is
        /// `sin(p·10000^(−2i/C))`, channel 2i+1 the cosine.
        case sinusoidalPositions
        /// `0, 1, 2, …` as stored integers (CLIP's `position_ids` buffer).
        case arange
    }

    /// Tensor name in the file.
    public let name: String
    /// Extent of each dimension, outermost first.
    public let shape: [Int]
    /// Element type in the file.
    public let dtype: DType
    /// How values are produced.
    public let fill: Fill

    /// Describes a tensor.
    public init(name: String, shape: [Int], dtype: DType, fill: Fill) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.fill = fill
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The file bytes of this tensor for `seed`: random fills draw from the stream named after
    /// the tensor, so a tensor's bytes do not depend on which other tensors the file holds.
    ///
    /// - Throws: ``WeightsError`` `.invalidArgument` for a float fill into an integer dtype
    ///   or `arange` into anything but I64/I32.
    public func bytes(seed: UInt64) throws -> [UInt8] {
        if case .arange = fill {
            switch dtype {
            case .int64:
                return (0..<Int64(elementCount)).flatMap { value in
                    withUnsafeBytes(of: value.littleEndian) { Array($0) }
                }
            case .int32:
                return (0..<Int32(elementCount)).flatMap { value in
                    withUnsafeBytes(of: value.littleEndian) { Array($0) }
                }
            default:
                throw WeightsError(
                    .invalidArgument, "tensor '\(name)': arange fill needs I64 or I32, not \(dtype.rawValue)")
            }
        }
        guard dtype == .float32 || dtype == .float16 || dtype == .bfloat16 else {
            throw WeightsError(
                .invalidArgument, "tensor '\(name)': cannot fill \(dtype.rawValue) with floating-point values")
        }
        return try Narrowing.bytes(of: values(seed: seed), as: dtype)
    }

    /// The values before narrowing to ``dtype``.
    public func values(seed: UInt64) -> [Float] {
        let count = elementCount
        let random = SeededRandom(seed: seed, stream: name)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            switch fill {
            case .uniform(let bound):
                Parallel.forEachChunk(count: count, minimumChunk: 1 << 18) { range in
                    random.fillUniform(
                        UnsafeMutableBufferPointer(rebasing: buffer[range]), offset: range.lowerBound, bound: bound)
                }
            case .normal(let standardDeviation):
                random.fillNormal(buffer, standardDeviation: standardDeviation)
            case .constant(let value):
                buffer.initialize(repeating: value)
            case .arange:
                for index in 0..<count { buffer[index] = Float(index) }
            case .sinusoidalPositions:
                let channels = shape.last ?? 0
                let rows = channels == 0 ? 0 : count / channels
                for row in 0..<rows {
                    for pair in 0..<(channels + 1) / 2 {
                        let frequency = exp(-log(10000.0) * Double(2 * pair) / Double(channels))
                        let angle = Double(row) * frequency
                        buffer[row * channels + 2 * pair] = Float(sin(angle))
                        if 2 * pair + 1 < channels { buffer[row * channels + 2 * pair + 1] = Float(cos(angle)) }
                    }
                }
            }
            initialized = count
        }
    }
}
