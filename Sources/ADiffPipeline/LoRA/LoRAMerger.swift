import ADiffModels
import ADiffTensor
import ADiffWeights

/// Merges LoRAs into copies of the affected weights, as A1111's default (non-functional) LoRA
/// mode does: `W ← W + ΔW` per network in order, each sum rounded to the weight's dtype
/// (a1111-compat §3.1, §3.4). Image LoRAs land on the UNet and text encoder, motion LoRAs on
/// the motion module, the v3 adapter on the UNet.
public enum LoRAMerger {
    /// Merges `applications` (in order) into `targets`.
    ///
    /// - Throws: ``PipelineError`` `.incompatibleNetwork` when a LoRA declares another model
    ///   family, matches no layer of any target, or has a layer whose update does not fit the
    ///   weight; `.unsupported` when it holds only module types this build cannot merge;
    ///   `.invalidNetwork` for malformed pairs.
    public static func merge(_ applications: [LoRAApplication], into targets: [LoRATarget]) throws -> LoRAMergeResult {
        struct Update {
            let application: LoRAApplication
            let module: LoRAModule
        }
        var updates: [LoRATarget.Component: [String: [Update]]] = [:]
        var keyOrder: [(LoRATarget.Component, String)] = []
        var reports: [LoRAMergeReport.Network] = []
        for application in applications {
            let network = application.network
            if let family = network.declaredFamily {
                throw PipelineError(
                    .incompatibleNetwork,
                    "LoRA '\(network.name)' was trained for \(family); the loaded models are SD1.5")
            }
            var applied: [LoRATarget.Component: Int] = [:]
            var unmatched: [String] = []
            for layer in network.modules.keys.sorted() {
                let module = network.modules[layer]!
                guard let (target, key) = locate(module, in: targets) else {
                    unmatched += module.sourceKeys
                    continue
                }
                if updates[target.component]?[key] == nil { keyOrder.append((target.component, key)) }
                updates[target.component, default: [:]][key, default: []].append(
                    Update(application: application, module: module))
                applied[target.component, default: 0] += 1
            }
            let unsupportedKeys = network.unsupported.values.flatMap { $0 }.sorted()
            if applied.isEmpty {
                if network.modules.isEmpty && !unsupportedKeys.isEmpty {
                    throw PipelineError(
                        .unsupported,
                        "LoRA '\(network.name)' holds only module types this build does not merge (e.g. \(unsupportedKeys[0]))"
                    )
                }
                let hint =
                    network.modules.keys.contains { $0.contains("motion_modules") }
                    ? " (a motion LoRA needs a motion module with these layers, e.g. a v2 module)" : ""
                throw PipelineError(
                    .incompatibleNetwork,
                    "LoRA '\(network.name)': none of its \(network.modules.count) layers match the loaded models\(hint); first: \(network.modules.keys.sorted().first ?? "none")"
                )
            }
            reports.append(
                .init(
                    name: network.name, appliedModules: applied, unmatchedKeys: unmatched.sorted(),
                    unsupportedKeys: unsupportedKeys))
        }
        var overlays: [LoRATarget.Component: [String: StoredTensor]] = [:]
        for (component, key) in keyOrder {
            let target = targets.first { $0.component == component }!
            let base = try target.parameters.stored(key)
            var merged = base
            for update in updates[component]![key]! {
                let delta = try update.module.delta(
                    weightShape: base.shape,
                    multiplier: update.application.multiplier(forLayer: update.module.layerName),
                    dynamicRank: update.application.dynamicRank)
                merged = try add(delta, to: merged)
            }
            overlays[component, default: [:]][key] = merged
        }
        return LoRAMergeResult(overlays: overlays, report: LoRAMergeReport(networks: reports))
    }

    /// The target and weight key of a module's layer: its name first, then A1111's fallbacks.
    private static func locate(_ module: LoRAModule, in targets: [LoRATarget]) -> (LoRATarget, String)? {
        for name in [module.layerName] + module.fallbackLayerNames {
            for target in targets {
                if let key = target.layers[name] { return (target, key) }
            }
        }
        return nil
    }

    /// `(W widened + ΔW)` stored back in W's dtype (F32 when that dtype cannot be narrowed to).
    private static func add(_ delta: Tensor, to weight: StoredTensor) throws -> StoredTensor {
        var sum = try weight.widened()
        delta.withUnsafeBufferPointer { d in
            sum.withUnsafeMutableBufferPointer { w in
                for index in w.indices { w[index] += d[index] }
            }
        }
        switch weight.dtype {
        case .float16, .bfloat16: return try Narrowing.stored(sum, as: weight.dtype)
        default: return StoredTensor(sum)
        }
    }
}
