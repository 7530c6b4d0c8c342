import CADiffOneDNN
import Synchronization

/// A weight matrix's bf16 copy for the bf16 compute mode, made from its fp32 values the first
/// time a bf16 product asks and kept for the life of this object.
///
/// Without it every bf16 product converts its weight operand again, which at SD1.5 sizes costs
/// a fifth of the product (Benchmarks/README.md, "bf16 operand conversion"). A model layer keeps
/// one for as long as the layer lives, as it keeps its ``Conv2dWinogradWeights``; in fp32 mode
/// it stays empty and costs nothing.
public final class BFloat16Weights: Sendable {
    /// The converted values with the element count they were made for.
    private final class Storage: Sendable {
        let count: Int
        nonisolated(unsafe) let values: UnsafeMutablePointer<UInt16>

        init(converting source: UnsafePointer<Float>, count: Int) {
            self.count = count
            values = .allocate(capacity: max(1, count))
            cadiff_onednn_convert_to_bf16(source, values, count)
        }

        deinit { values.deallocate() }
    }

    private let storage = Mutex<Storage?>(nil)

    /// An empty cache; the first bf16 product fills it.
    public init() {}

    /// Runs `body` with the bf16 copy of the `count` contiguous floats at `source`, converting
    /// them on the first call. Every call must pass the same weights (the owning layer's); a
    /// call with another count gets nil, so a mismatch falls back to per-call conversion rather
    /// than reading the wrong matrix.
    func withValues<R>(
        of source: UnsafePointer<Float>, count: Int, _ body: (UnsafePointer<UInt16>?) throws -> R
    ) rethrows -> R {
        let current = storage.withLock { cached -> Storage? in
            if let cached { return cached.count == count ? cached : nil }
            let made = Storage(converting: source, count: count)
            cached = made
            return made
        }
        // `current` keeps the values alive through `body`, whoever else holds the cache.
        return try withExtendedLifetime(current) { try body(current.map { UnsafePointer($0.values) }) }
    }

    /// Whether the bf16 copy has been made (tests check that bf16 products used it).
    public var isConverted: Bool { storage.withLock { $0 != nil } }
}
