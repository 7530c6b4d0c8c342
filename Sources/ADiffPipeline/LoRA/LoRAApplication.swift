import ADiffModels

/// One LoRA to merge with the multipliers of its prompt tag (`<lora:name:te:unet:dyn>`).
public struct LoRAApplication: Sendable {
    /// The parsed file.
    public let network: LoRANetwork
    /// Multiplier for text-encoder layers.
    public let textEncoderMultiplier: Float
    /// Multiplier for every other layer (UNet, motion module).
    public let unetMultiplier: Float
    /// Rank truncation, if any.
    public let dynamicRank: Int?

    /// Creates an application.
    public init(network: LoRANetwork, textEncoderMultiplier: Float, unetMultiplier: Float, dynamicRank: Int? = nil) {
        self.network = network
        self.textEncoderMultiplier = textEncoderMultiplier
        self.unetMultiplier = unetMultiplier
        self.dynamicRank = dynamicRank
    }

    /// The multipliers of a parsed prompt tag.
    public init(network: LoRANetwork, activation: NetworkActivation) {
        self.init(
            network: network, textEncoderMultiplier: Float(activation.textEncoderMultiplier),
            unetMultiplier: Float(activation.unetMultiplier), dynamicRank: activation.dynamicDimension)
    }

    /// A1111's rule: the text-encoder multiplier for layers with `transformer` in the first 20
    /// characters of their name, the UNet multiplier otherwise.
    public func multiplier(forLayer layer: String) -> Float {
        layer.prefix(20).contains("transformer") ? textEncoderMultiplier : unetMultiplier
    }

    /// What identifies this application in a merge cache.
    var cacheKey: String {
        "\(network.identity)|\(textEncoderMultiplier.bitPattern)|\(unetMultiplier.bitPattern)|\(dynamicRank ?? -1)"
    }
}
