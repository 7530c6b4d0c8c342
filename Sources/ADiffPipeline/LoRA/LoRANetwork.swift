import ADiffWeights

/// A LoRA file parsed into per-layer modules under A1111 layer names.
///
/// Three key styles are accepted: kohya (`lora_unet_…` / `lora_te_…` bases with
/// `.lora_down.weight`, `.lora_up.weight`, `.alpha`, also `lora_A`/`lora_B`), the official
/// motion LoRAs and the v3 domain adapter in diffusers attention-processor style
/// (`….processor.to_q_lora.down.weight`), and the extension's re-exported motion LoRAs whose
/// bases are the motion module's own underscored paths. Which model a layer belongs to is
/// decided when merging, by looking the names up in the targets (as A1111 does).
public struct LoRANetwork: Sendable {
    /// The name the prompt used (`<lora:name:…>`).
    public let name: String
    /// Content identity (the A1111 addnet hash for files), keying merge caches.
    public let identity: String
    /// The file's string metadata (`ss_output_name`, `ss_base_model_version`, …).
    public let metadata: [String: String]
    /// Supported low-rank modules by layer name.
    public let modules: [String: LoRAModule]
    /// Layer names whose parts form a network type this build does not merge (LoHa, LoKr,
    /// IA3, full diff, DoRA, OFT, …), with their tensor names.
    public let unsupported: [String: [String]]

    /// Parses in-memory tensors.
    ///
    /// - Throws: ``PipelineError`` `.invalidNetwork` for malformed pairs or scalars.
    public init(name: String, identity: String, tensors: [String: StoredTensor], metadata: [String: String] = [:])
        throws
    {
        var parts: [String: [String: (key: String, tensor: StoredTensor)]] = [:]
        var fallbacks: [String: [String]] = [:]
        for (key, tensor) in tensors {
            let (layer, part, alternatives) = Self.split(key)
            parts[layer, default: [:]][part] = (key, tensor)
            fallbacks[layer] = alternatives
        }
        var modules: [String: LoRAModule] = [:]
        var unsupported: [String: [String]] = [:]
        for (layer, pieces) in parts {
            let up = pieces["lora_up.weight"] ?? pieces["lora_B.weight"]
            let down = pieces["lora_down.weight"] ?? pieces["lora_A.weight"]
            let known: Set<String> = [
                "lora_up.weight", "lora_down.weight", "lora_B.weight", "lora_A.weight", "lora_mid.weight", "alpha",
                "scale",
            ]
            guard let up, let down, Set(pieces.keys).isSubset(of: known) else {
                unsupported[layer] = pieces.values.map(\.key).sorted()
                continue
            }
            modules[layer] = try LoRAModule(
                layerName: layer, up: up.tensor, down: down.tensor, mid: pieces["lora_mid.weight"]?.tensor,
                alpha: try pieces["alpha"].map { try Self.scalar($0.tensor, $0.key) },
                scale: try pieces["scale"].map { try Self.scalar($0.tensor, $0.key) },
                sourceKeys: pieces.values.map(\.key).sorted(), fallbackLayerNames: fallbacks[layer] ?? [])
        }
        self.name = name
        self.identity = identity
        self.metadata = metadata
        self.modules = modules
        self.unsupported = unsupported
    }

    /// Reads a LoRA file; the identity is its A1111 addnet hash.
    ///
    /// - Throws: ``WeightsError`` from reading, ``PipelineError`` `.invalidNetwork`.
    public static func load(path: String, name: String) throws -> LoRANetwork {
        let file = try WeightFiles.open(path)
        var tensors: [String: StoredTensor] = [:]
        for key in file.tensorNames { tensors[key] = try file.load(key) }
        return try LoRANetwork(
            name: name, identity: try ModelHashes.addnetHash(path: path), tensors: tensors, metadata: file.metadata)
    }

    /// Whether the file says it was trained for SDXL (`ss_base_model_version` `sdxl_…`) or SD2.
    public var declaredFamily: String? {
        if metadata["ss_base_model_version"]?.hasPrefix("sdxl_") == true { return "SDXL" }
        if metadata["ss_v2"] == "True" { return "SD2" }
        return nil
    }

    /// The number of tensors in the file.
    public var tensorCount: Int {
        modules.values.reduce(0) { $0 + $1.sourceKeys.count } + unsupported.values.reduce(0) { $0 + $1.count }
    }

    /// (layer name, part, fallback layer names) of one tensor name.
    static func split(_ key: String) -> (layer: String, part: String, fallbacks: [String]) {
        if let (path, part) = LoRAKeyMapping.processorKey(key) {
            return (LoRAKeyMapping.a1111LayerName(diffusersPath: path), part, [])
        }
        guard let dot = key.firstIndex(of: ".") else { return (key, "", []) }
        let base = String(key[..<dot])
        let part = String(key[key.index(after: dot)...])
        return (
            LoRAKeyMapping.a1111LayerName(kohyaBase: base), part, LoRAKeyMapping.fallbackLayerNames(kohyaBase: base)
        )
    }

    private static func scalar(_ tensor: StoredTensor, _ key: String) throws -> Float {
        guard tensor.elementCount == 1, tensor.dtype.isFloatingPoint, let value = try? tensor.widened().scalars.first
        else {
            throw PipelineError(.invalidNetwork, "LoRA tensor '\(key)' must be one floating-point number")
        }
        return value
    }
}
