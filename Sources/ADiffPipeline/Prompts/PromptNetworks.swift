import ADiffModels

/// Extra-network tags (`<lora:…>`, `<hypernet:…>`) taken out of positive prompts.
///
/// The WebUI activates the tags of the batch's first prompt only, so with prompt travel a tag
/// in a keyframe other than frame 0 was stripped but never applied (animatediff-behaviour §5.2,
/// §13.6). Here the tags of every given prompt count, each network once, in prompt order,
/// with the multipliers of its last tag.
enum PromptNetworks {
    /// The prompts without their tags, and the activations.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` (field `prompt`) for a malformed tag.
    static func extract(from prompts: [String]) throws -> (stripped: [String], networks: [NetworkActivation]) {
        var tags: [ExtraNetworkTag] = []
        var stripped: [String] = []
        for text in prompts {
            let (clean, found) = ExtraNetworkTag.extract(from: text)
            stripped.append(clean)
            tags += found
        }
        do {
            var seen: Set<String> = []
            let networks = try NetworkActivation.activations(from: tags).filter {
                seen.insert("\($0.family):\($0.name)").inserted
            }
            return (stripped, networks)
        } catch {
            throw PipelineError(.invalidParameter, "prompt: \(error.message)", field: "prompt")
        }
    }
}
