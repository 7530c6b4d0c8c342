/// `generate` params: the WebUI txt2img/img2img API payload names plus the extension's
/// `animatediff` object.
///
/// Use ``decode(_:)`` rather than plain `Decodable`: it also accepts the WebUI form
/// `alwayson_scripts.AnimateDiff.args[0]`, rejects unknown keys naming them, and accepts
/// known WebUI keys that adiffd does not use only at values where they make no difference
/// (reported back as warnings).
public struct GenerateParams: Sendable, Equatable, Codable {
    /// Positive prompt (prompt travel lines `N: text` allowed).
    public var prompt: String?
    /// Negative prompt.
    public var negativePrompt: String?
    /// Sampler steps (default 20).
    public var steps: Int?
    /// A1111 sampler name (default `Euler a`).
    public var samplerName: String?
    /// A1111 schedule type (`Automatic`, `Karras`, …).
    public var scheduler: String?
    /// CFG scale (default 7).
    public var cfgScale: Double?
    /// Seed of frame 0; -1 = random.
    public var seed: Int64?
    /// Variation seed and strength.
    public var subseed: Int64?
    public var subseedStrength: Double?
    /// Frame size in pixels (default 512×512; multiples of 8).
    public var width: Int?
    public var height: Int?
    /// WebUI batch size; AnimateDiff replaces it with the frame batch, so only 1 is meaningful.
    public var batchSize: Int?
    /// Number of videos generated one after another (seed advances by the frame count).
    public var nIter: Int?
    /// img2vid strength (default 0.75 when `init_images` is given).
    public var denoisingStrength: Double?
    /// Sampler noise settings, passed to the engine.
    public var eta: Double?
    public var sChurn: Double?
    public var sTmax: Double?
    public var sTmin: Double?
    public var sNoise: Double?
    /// img2vid init image(s): file paths under a configured input root (not base64).
    public var initImages: [String]?
    /// WebUI settings for this job: `sd_model_checkpoint`, `sd_vae`, `CLIP_stop_at_last_layers`,
    /// `eta_noise_seed_delta`, `randn_source`.
    public var overrideSettings: [String: JSONValue]?
    /// Whether `<lora:…>` tags are ignored.
    public var disableExtraNetworks: Bool?
    /// An A1111 infotext whose values fill every field not given explicitly.
    public var infotext: String?
    /// The extension's parameters.
    public var animatediff: AnimateDiffParams?
    /// adiffd: answer at once with the job id and keep the job running if this connection
    /// closes (default false: the reply comes when the job ends, and disconnecting cancels it).
    public var detach: Bool?

    /// Creates empty params (every field takes its default).
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case prompt
        case negativePrompt = "negative_prompt"
        case steps
        case samplerName = "sampler_name"
        case scheduler
        case cfgScale = "cfg_scale"
        case seed, subseed
        case subseedStrength = "subseed_strength"
        case width, height
        case batchSize = "batch_size"
        case nIter = "n_iter"
        case denoisingStrength = "denoising_strength"
        case eta
        case sChurn = "s_churn"
        case sTmax = "s_tmax"
        case sTmin = "s_tmin"
        case sNoise = "s_noise"
        case initImages = "init_images"
        case overrideSettings = "override_settings"
        case disableExtraNetworks = "disable_extra_networks"
        case infotext, animatediff, detach
    }

    /// The keys decoded into fields.
    public static let keys: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    /// `override_settings` keys adiffd applies.
    public static let overrideSettingKeys: Set<String> = [
        "sd_model_checkpoint", "sd_vae", "CLIP_stop_at_last_layers", "eta_noise_seed_delta", "randn_source",
    ]

    /// Decodes params from a request, normalising the WebUI payload forms.
    ///
    /// - Returns: the params and one warning per accepted-but-unused key.
    /// - Throws: ``RPCError`` `.invalidParams` naming the offending key (`field`).
    public static func decode(_ value: JSONValue) throws(RPCError) -> (params: GenerateParams, warnings: [String]) {
        guard case .object(var members) = value else {
            throw RPCError(.invalidParams, "generate params must be an object")
        }
        var warnings: [String] = []
        if let scripts = members.removeValue(forKey: "alwayson_scripts") {
            try mergeAlwaysOnScripts(scripts, into: &members)
        }
        if let index = members.removeValue(forKey: "sampler_index") {
            if members["sampler_name"] == nil {
                members["sampler_name"] = index
            } else {
                warnings.append("sampler_index ignored: sampler_name is given")
            }
        }
        for key in members.keys.sorted() where !keys.contains(key) {
            guard let rule = WebUIKeys.unused[key] else {
                throw RPCError(.invalidParams, "unknown parameter \"\(key)\"", field: key)
            }
            guard rule(members[key]!, members) else {
                throw RPCError(.invalidParams, "\"\(key)\" is not supported by adiffd at this value", field: key)
            }
            members.removeValue(forKey: key)
            warnings.append("\(key) ignored")
        }
        if case .object(let object)? = members["animatediff"] {
            for key in object.keys.sorted() where !AnimateDiffParams.keys.contains(key) {
                throw RPCError(
                    .invalidParams, "unknown animatediff parameter \"\(key)\"", field: "animatediff.\(key)")
            }
        }
        if case .object(let settings)? = members["override_settings"] {
            for key in settings.keys.sorted() where !overrideSettingKeys.contains(key) {
                throw RPCError(
                    .invalidParams, "override_settings.\(key) is not supported", field: "override_settings.\(key)")
            }
        }
        let params = try JSONValue.object(members).decode(GenerateParams.self)
        return (params, warnings)
    }

    /// Moves `alwayson_scripts.AnimateDiff.args[0]` to `animatediff`.
    private static func mergeAlwaysOnScripts(
        _ scripts: JSONValue, into members: inout [String: JSONValue]
    ) throws(RPCError) {
        guard case .object(let entries) = scripts else {
            throw RPCError(.invalidParams, "alwayson_scripts must be an object", field: "alwayson_scripts")
        }
        for (title, script) in entries.sorted(by: { $0.key < $1.key }) {
            guard title.lowercased() == "animatediff" else {
                throw RPCError(
                    .invalidParams, "script \"\(title)\" is not supported (only AnimateDiff)",
                    field: "alwayson_scripts.\(title)")
            }
            guard case .array(let args)? = script["args"], let first = args.first, case .object = first else {
                throw RPCError(
                    .invalidParams, "alwayson_scripts.\(title).args[0] must be the AnimateDiff parameter object",
                    field: "alwayson_scripts.\(title).args")
            }
            guard members["animatediff"] == nil else {
                throw RPCError(
                    .invalidParams, "give either animatediff or alwayson_scripts.\(title), not both",
                    field: "animatediff")
            }
            members["animatediff"] = first
        }
    }
}
