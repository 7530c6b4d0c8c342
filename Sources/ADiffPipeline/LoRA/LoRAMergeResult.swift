import ADiffModels
import ADiffWeights

/// The merged weights of a LoRA set: per model, only the tensors that changed, in the base
/// tensor's stored dtype (fp8 and fp64 bases become F32, which has no narrowing here).
///
/// Apply with ``ModelParameters/replacing(_:)``; the base parameters are never written, so
/// dropping the result restores them bit for bit.
public struct LoRAMergeResult: Sendable {
    /// Replacement tensors per model, keyed by parameter name.
    public let overlays: [LoRATarget.Component: [String: StoredTensor]]
    /// What was merged and what was skipped.
    public let report: LoRAMergeReport

    /// The target's parameters with the merged tensors in place.
    public func parameters(for target: LoRATarget) -> ModelParameters {
        target.parameters.replacing(overlays[target.component] ?? [:])
    }

    /// Bytes the replacement tensors hold.
    public var residentBytes: Int {
        overlays.values.reduce(0) { total, overlay in total + overlay.values.reduce(0) { $0 + $1.bytes.count } }
    }
}
