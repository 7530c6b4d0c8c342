import ADiffWeights

/// Tensor-name normalisation for motion-module files: every accepted spelling is mapped to the
/// original AnimateDiff layout before anything else looks at the names
/// (animatediff-behaviour.md §1.2, §1.4 step 1).
enum MotionModuleKeys {
    /// The parameters under their AnimateDiff names, and whether HotShot-XL's original
    /// spelling was seen.
    struct Normalised {
        let parameters: ModelParameters
        let hadHotShotSpelling: Bool
    }

    /// Maps HotShot-XL's `temporal_attentions.{j}.` to `motion_modules.{j}.temporal_transformer.`
    /// and its `positional_encoding` table to `pe`, strips a `state_dict.` wrapper that every
    /// name carries, and drops the `animatediff_config` entry some checkpoints add.
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when two names collide after the
    ///   rename (a file holding both spellings of one tensor).
    static func normalise(_ parameters: ModelParameters) throws -> Normalised {
        let wrapped = !parameters.entries.isEmpty && parameters.entries.keys.allSatisfy { $0.hasPrefix("state_dict.") }
        var entries: [String: StoredTensor] = [:]
        entries.reserveCapacity(parameters.entries.count)
        var hotShot = false
        for (name, tensor) in parameters.entries {
            let unwrapped = wrapped ? String(name.dropFirst("state_dict.".count)) : name
            if unwrapped == "animatediff_config" || unwrapped.hasPrefix("animatediff_config.") { continue }
            let (renamed, wasHotShot) = renameHotShot(unwrapped)
            hotShot = hotShot || wasHotShot
            guard entries.updateValue(tensor, forKey: renamed) == nil else {
                throw ModelError(
                    .unsupportedArchitecture,
                    "\(parameters.origin): tensor '\(renamed)' appears twice "
                        + "(HotShot-XL and AnimateDiff spellings mixed)")
            }
        }
        return Normalised(
            parameters: ModelParameters(entries: entries, origin: parameters.origin), hadHotShotSpelling: hotShot)
    }

    /// One name in AnimateDiff spelling, and whether it was in HotShot-XL's.
    private static func renameHotShot(_ name: String) -> (String, Bool) {
        var components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var renamed = false
        if let position = components.firstIndex(of: "temporal_attentions"), position + 1 < components.count,
            Int(components[position + 1]) != nil
        {
            components.replaceSubrange(
                position...(position + 1), with: ["motion_modules", components[position + 1], "temporal_transformer"])
            renamed = true
        }
        if components.count >= 2, components[components.count - 1] == "positional_encoding",
            components[components.count - 2] == "pos_encoder"
        {
            components[components.count - 1] = "pe"
            renamed = true
        }
        return renamed ? (components.joined(separator: "."), true) : (name, false)
    }
}
