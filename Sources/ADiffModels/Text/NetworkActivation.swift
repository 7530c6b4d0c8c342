/// A LoRA/LyCORIS or hypernetwork to apply, with its multipliers, read from extra-network tags
/// (compatibility spec §1.1).
public struct NetworkActivation: Sendable, Equatable {
    /// Which family the tag named.
    public enum Family: Sendable, Equatable {
        /// `<lora:…>` and its alias `<lyco:…>`.
        case lora
        /// `<hypernet:…>`.
        case hypernetwork
    }

    /// The network family.
    public let family: Family
    /// Network name (file stem or its `ss_output_name` alias; resolving it is the loader's job).
    public let name: String
    /// Text-encoder multiplier (hypernetworks: their single multiplier).
    public let textEncoderMultiplier: Double
    /// UNet multiplier (hypernetworks: same as the text-encoder one).
    public let unetMultiplier: Double
    /// Rank truncation (`dyn`), if given.
    public let dynamicDimension: Int?

    /// Creates an activation.
    public init(family: Family, name: String, textEncoderMultiplier: Double, unetMultiplier: Double, dynamicDimension: Int?) {
        self.family = family
        self.name = name
        self.textEncoderMultiplier = textEncoderMultiplier
        self.unetMultiplier = unetMultiplier
        self.dynamicDimension = dynamicDimension
    }

    /// Reads the activations of the tags the WebUI knows (`lora`, `lyco`, `hypernet`), in prompt order;
    /// other kinds are skipped (the WebUI logs and ignores them). Several tags naming the same
    /// network share the multipliers of the last one, as in the WebUI.
    ///
    /// LoRA: te = positional[1] or 1, overridden by `te=`; unet = positional[2] or te, overridden by
    /// `unet=`; dyn = positional[3] or `dyn=`. Hypernetwork: multiplier = positional[1] or 1.
    /// - Throws: `TextError.promptSyntax` naming the tag when a multiplier or `dyn` is not a number
    ///   or the name is missing (the WebUI fails the job).
    public static func activations(from tags: [ExtraNetworkTag]) throws(TextError) -> [NetworkActivation] {
        var result: [NetworkActivation] = []
        for tag in tags {
            let family: Family
            switch tag.kind {
            case "lora", "lyco": family = .lora
            case "hypernet": family = .hypernetwork
            default: continue
            }
            result.append(try activation(family: family, tag: tag))
        }
        var last: [String: NetworkActivation] = [:]
        for activation in result { last["\(activation.family):\(activation.name)"] = activation }
        return result.map { last["\($0.family):\($0.name)"]! }
    }

    private static func activation(family: Family, tag: ExtraNetworkTag) throws(TextError) -> NetworkActivation {
        let description = "<\(tag.kind):\(tag.positional.joined(separator: ":"))>"
        func number(_ text: String, _ what: String) throws(TextError) -> Double {
            guard let value = PythonFloat.parse(text) else {
                throw TextError(.promptSyntax, "\(what) '\(text)' of tag \(description) is not a number")
            }
            return value
        }
        guard let name = tag.positional.first else {
            throw TextError(.promptSyntax, "tag \(description) names no network")
        }
        if family == .hypernetwork {
            let multiplier = tag.positional.count > 1 ? try number(tag.positional[1], "multiplier") : 1
            return NetworkActivation(family: family, name: name, textEncoderMultiplier: multiplier,
                                     unetMultiplier: multiplier, dynamicDimension: nil)
        }
        var te = tag.positional.count > 1 ? try number(tag.positional[1], "te multiplier") : 1
        if let text = tag.named["te"] { te = try number(text, "te multiplier") }
        var unet = tag.positional.count > 2 ? try number(tag.positional[2], "unet multiplier") : te
        if let text = tag.named["unet"] { unet = try number(text, "unet multiplier") }
        var dyn: Int?
        if let text = tag.named["dyn"] ?? (tag.positional.count > 3 ? tag.positional[3] : nil) {
            guard let value = Int(text.trimmingPythonSpace()) else {
                throw TextError(.promptSyntax, "dyn '\(text)' of tag \(description) is not an integer")
            }
            dyn = value
        }
        return NetworkActivation(family: family, name: name, textEncoderMultiplier: te, unetMultiplier: unet,
                                 dynamicDimension: dyn)
    }
}

extension String {
    /// Without leading/trailing Python whitespace (what `int()`/`float()` ignore).
    fileprivate func trimmingPythonSpace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, UnicodeClasses.isPythonSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, UnicodeClasses.isPythonSpace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
