import ADiffTensor

/// One positive prompt turned into UNet conditioning: the encoded text and the extra networks
/// its tags ask for.
public struct TextConditioning: Sendable {
    /// Cross-attention context `[77·chunks, width]`.
    public let context: Tensor
    /// The text that was encoded: the prompt with its `<…:…>` tags removed.
    public let encodedText: String
    /// The tags taken out of the prompt, in prompt order (unknown kinds included).
    public let tags: [ExtraNetworkTag]
    /// The LoRA / hypernetwork activations those tags describe.
    public let networks: [NetworkActivation]

    /// Creates a value.
    public init(context: Tensor, encodedText: String, tags: [ExtraNetworkTag], networks: [NetworkActivation]) {
        self.context = context
        self.encodedText = encodedText
        self.tags = tags
        self.networks = networks
    }

    /// Number of 77-token chunks in ``context``.
    public var chunkCount: Int { context.shape[0] / 77 }
}
