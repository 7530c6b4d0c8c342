import ADiffModels

/// A model whose weights LoRAs may change, with the way its parameter names map to A1111
/// layer names.
///
/// A layer is a parameter `<path>.weight` of rank 2 or 4 (Linear, Conv2d); its A1111 name is
/// `layerPrefix + path-without-keyPrefix` with dots as underscores. The factories use the
/// WebUI's naming roots; pass `keyPrefix` when the parameters keep more of the file's prefix.
public struct LoRATarget: Sendable {
    /// Which model the target is: it decides the multiplier (text encoder vs the rest).
    public enum Component: String, Sendable, Hashable, CaseIterable {
        /// The image UNet.
        case unet
        /// The CLIP text encoder.
        case textEncoder
        /// The AnimateDiff motion module.
        case motionModule
    }

    /// Which model.
    public let component: Component
    /// Its weights (never modified).
    public let parameters: ModelParameters
    /// Layer name → parameter key of its weight.
    public let layers: [String: String]

    /// Indexes `parameters`' layers.
    ///
    /// - Parameters:
    ///   - keyPrefix: Leading part of parameter keys that is not part of the module path
    ///     (keys without it are ignored).
    ///   - layerPrefix: What A1111 puts before the module path.
    public init(component: Component, parameters: ModelParameters, keyPrefix: String, layerPrefix: String) {
        var layers: [String: String] = [:]
        for (key, tensor) in parameters.entries
        where key.hasPrefix(keyPrefix) && key.hasSuffix(".weight")
            && (tensor.shape.count == 2 || tensor.shape.count == 4)
        {
            let path = key.dropFirst(keyPrefix.count).dropLast(".weight".count)
            layers[layerPrefix + String(path).underscored()] = key
        }
        self.component = component
        self.parameters = parameters
        self.layers = layers
    }

    /// The UNet, parameters named from its root (`input_blocks.1.1.proj_in.weight`): layers
    /// `diffusion_model_…`.
    public static func unet(_ parameters: ModelParameters, keyPrefix: String = "") -> LoRATarget {
        LoRATarget(component: .unet, parameters: parameters, keyPrefix: keyPrefix, layerPrefix: "diffusion_model_")
    }

    /// The SD1 text encoder, parameters named from the Hugging Face `CLIPTextModel` root
    /// (`text_model.encoder.layers.0.self_attn.q_proj.weight`): layers `transformer_text_model_…`.
    public static func textEncoder(_ parameters: ModelParameters, keyPrefix: String = "") -> LoRATarget {
        LoRATarget(component: .textEncoder, parameters: parameters, keyPrefix: keyPrefix, layerPrefix: "transformer_")
    }

    /// A motion module, parameters named as in its file (`down_blocks.0.motion_modules.0.…`):
    /// layers are those paths underscored, as the extension registers them.
    public static func motionModule(_ parameters: ModelParameters, keyPrefix: String = "") -> LoRATarget {
        LoRATarget(component: .motionModule, parameters: parameters, keyPrefix: keyPrefix, layerPrefix: "")
    }
}
