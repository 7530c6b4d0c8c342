/// Turns the key spellings LoRA files use into A1111 layer names: the module's path inside
/// the WebUI's model with `.` replaced by `_` (`diffusion_model_input_blocks_1_1_proj_in`,
/// `transformer_text_model_encoder_layers_0_mlp_fc1`, or, for motion modules, the module's path
/// inside the motion-module file, `down_blocks_0_motion_modules_0_temporal_transformer_…`).
///
/// Kohya bases follow a1111-compat §3.3 (SD1.x); diffusers attention-processor keys (official
/// motion LoRAs, the v3 domain adapter) are first rewritten to a module path
/// (animatediff-behaviour §7.1–7.2).
public enum LoRAKeyMapping {
    /// ResBlock sub-module names, diffusers → ldm.
    private static let resnetSuffixes = [
        "conv1": "in_layers_2", "conv2": "out_layers_3", "norm1": "in_layers_0", "norm2": "out_layers_0",
        "time_emb_proj": "emb_layers_1", "conv_shortcut": "skip_connection",
    ]

    /// The A1111 layer name for a kohya base (the key before its first `.`), or the base
    /// itself when no rule applies (A1111's `convert_diffusers_name_to_compvis`).
    public static func a1111LayerName(kohyaBase base: String) -> String {
        if let rest = base.dropPrefix("lora_unet_conv_in") {
            return "diffusion_model_input_blocks_0_0" + rest
        }
        if let rest = base.dropPrefix("lora_unet_conv_out") {
            return "diffusion_model_out_2" + rest
        }
        if let rest = base.dropPrefix("lora_unet_time_embedding_linear_"),
            let (k, tail) = rest.leadingInteger()
        {
            return "diffusion_model_time_embed_\(k * 2 - 2)" + tail
        }
        if let rest = base.dropPrefix("lora_unet_down_blocks_"), let (block, tail) = rest.leadingInteger() {
            if let (kind, index, suffix) = blockMember(tail) {
                let slot = kind == "attentions" ? 1 : 0
                return "diffusion_model_input_blocks_\(1 + block * 3 + index)_\(slot)_\(suffix)"
            }
            if tail.hasPrefix("_downsamplers_0_conv") {
                return "diffusion_model_input_blocks_\(3 + block * 3)_0_op"
            }
        }
        if let rest = base.dropPrefix("lora_unet_mid_block"), let (kind, index, suffix) = blockMember(rest) {
            let slot = kind == "attentions" ? 1 : index * 2
            return "diffusion_model_middle_block_\(slot)_\(suffix)"
        }
        if let rest = base.dropPrefix("lora_unet_up_blocks_"), let (block, tail) = rest.leadingInteger() {
            if let (kind, index, suffix) = blockMember(tail) {
                let slot = kind == "attentions" ? 1 : 0
                return "diffusion_model_output_blocks_\(block * 3 + index)_\(slot)_\(suffix)"
            }
            if tail.hasPrefix("_upsamplers_0_conv") {
                return "diffusion_model_output_blocks_\(2 + block * 3)_\(block > 0 ? 2 : 1)_conv"
            }
        }
        if let rest = base.dropPrefix("lora_te_text_model_encoder_layers_"), let (layer, tail) = rest.leadingInteger(),
            tail.count > 1, tail.hasPrefix("_")
        {
            return "transformer_text_model_encoder_layers_\(layer)" + tail
        }
        return base
    }

    /// Names A1111 tries when the converted name is not a layer: `lora_unet` → `diffusion_model`
    /// (kohya files that already use ldm names), `lora_te1_text_model` → `transformer_text_model`.
    public static func fallbackLayerNames(kohyaBase base: String) -> [String] {
        if base.contains("lora_unet") {
            return [base.replacingOccurrences("lora_unet", with: "diffusion_model")]
        }
        if base.contains("lora_te1_text_model") {
            return [
                base.replacingOccurrences("lora_te1_text_model", with: "0_transformer_text_model"),
                base.replacingOccurrences("lora_te1_text_model", with: "transformer_text_model"),
            ]
        }
        return []
    }

    /// A diffusers attention-processor key split into the layer it targets and its part, or nil
    /// for other keys: `<path>.processor.<proj>_lora.<down|up>.weight` → module path
    /// `<path>.<proj>` (`to_out` → `to_out.0`), part `lora_down.weight` / `lora_up.weight`.
    public static func processorKey(_ key: String) -> (modulePath: String, part: String)? {
        guard let processor = key.range(of: ".processor.") else { return nil }
        let path = key[..<processor.lowerBound]
        let rest = key[processor.upperBound...]
        guard let lora = rest.range(of: "_lora.") else { return nil }
        var projection = String(rest[..<lora.lowerBound])
        if projection == "to_out" { projection = "to_out.0" }
        let part: String
        switch rest[lora.upperBound...] {
        case "down.weight": part = "lora_down.weight"
        case "up.weight": part = "lora_up.weight"
        case "alpha": part = "alpha"
        default: return nil
        }
        return ("\(path).\(projection)", part)
    }

    /// The layer name for a diffusers module path: motion-module paths keep their own names
    /// (underscored); image-UNet paths go through the kohya rules as `lora_unet_<path>`.
    public static func a1111LayerName(diffusersPath path: String) -> String {
        let underscored = path.underscored()
        if path.contains("motion_modules") || path.contains("temporal_attentions") {
            return underscored
        }
        return a1111LayerName(kohyaBase: "lora_unet_" + underscored)
    }

    /// `<attentions|resnets>_<index>_<suffix>` after a leading `_`, with ResBlock suffixes
    /// converted.
    private static func blockMember(_ text: Substring) -> (kind: String, index: Int, suffix: String)? {
        for kind in ["attentions", "resnets"] {
            guard let rest = text.dropPrefix("_" + kind + "_"), let (index, tail) = rest.leadingInteger(),
                tail.count > 1, tail.hasPrefix("_")
            else { continue }
            let suffix = String(tail.dropFirst())
            return (kind, index, kind == "resnets" ? resnetSuffixes[suffix] ?? suffix : suffix)
        }
        return nil
    }
}

extension StringProtocol {
    /// The rest after `prefix`, or nil.
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? Substring(self).dropFirst(prefix.count) : nil
    }

    /// The decimal number at the start and what follows it.
    fileprivate func leadingInteger() -> (Int, Substring)? {
        let digits = prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        return (value, Substring(self).dropFirst(digits.count))
    }

    /// Every occurrence of `target` replaced.
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        String(self).replacing(target, with: replacement)
    }
}

extension String {
    /// Dots as underscores: a module path spelt as an A1111 layer name.
    func underscored() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
