import ADiffProtocol
import ArgumentParser
import Foundation

/// `adiffctl generate`: submit a job with WebUI / AnimateDiff parameters, follow its
/// progress, print the output paths. Precedence: flags, then `--params` JSON, then
/// `--from-infotext` (which the daemon parses).
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate a video.", aliases: ["gen"])

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Prompt (prompt travel: lines `N: text`).")
    var prompt: String?

    @Option(name: .customLong("params"), help: "JSON file with generate params (WebUI payload or adiffd params).")
    var paramsFile: String?
    @Option(name: .customLong("from-infotext"), help: "PNG (parameters chunk) or TXT infotext to replay.")
    var infotextFile: String?

    @Option(name: [.customShort("n"), .customLong("negative-prompt")], help: "Negative prompt.")
    var negativePrompt: String?
    @Option(name: .long, help: "Sampler steps.") var steps: Int?
    @Option(name: .customLong("sampler"), help: "Sampler name (WebUI), e.g. \"Euler a\", \"DPM++ 2M\".") var samplerName: String?
    @Option(name: .long, help: "Schedule type: Automatic, Karras, Exponential, …") var scheduler: String?
    @Option(name: .customLong("cfg-scale"), help: "CFG scale.") var cfgScale: Double?
    @Option(name: .long, help: "Seed; -1 random.") var seed: Int64?
    @Option(name: .long, help: "Variation seed.") var subseed: Int64?
    @Option(name: .customLong("subseed-strength"), help: "Variation strength 0…1.") var subseedStrength: Double?
    @Option(name: .long, help: "Width in pixels.") var width: Int?
    @Option(name: .long, help: "Height in pixels.") var height: Int?
    @Option(name: .long, help: "Size as WxH (sets width and height).") var size: String?
    @Option(name: .customLong("batch-size"), help: "WebUI batch size (AnimateDiff replaces it; keep 1).") var batchSize: Int?
    @Option(name: .customLong("n-iter"), help: "Videos generated one after another.") var nIter: Int?
    @Option(name: .customLong("denoising-strength"), help: "img2vid strength 0…1.") var denoisingStrength: Double?
    @Option(name: .customLong("init-image"), help: "img2vid first frame: a path under the daemon's input roots.") var initImage: String?
    @Option(name: [.customShort("m"), .customLong("model")], help: "Checkpoint (sd_model_checkpoint).") var model: String?
    @Option(name: .long, help: "VAE (sd_vae).") var vae: String?
    @Option(name: .customLong("clip-skip"), help: "CLIP_stop_at_last_layers.") var clipSkip: Int?
    @Option(name: .customLong("eta"), help: "Sampler eta.") var eta: Double?

    @Option(name: .customLong("motion-module"), help: "AnimateDiff motion module.") var motionModule: String?
    @Option(name: [.short, .customLong("format")], help: "Output format (repeatable): GIF, MP4, WEBP, WEBM, PNG, TXT.") var formats: [String] = []
    @Option(name: .customLong("frames"), help: "video_length (frames; 0 = context size).") var videoLength: Int?
    @Option(name: .long, help: "Frames per second.") var fps: Int?
    @Option(name: .customLong("loop-number"), help: "GIF/WEBP loops; 0 forever.") var loopNumber: Int?
    @Option(name: .customLong("closed-loop"), help: "N, R-P, R+P or A.") var closedLoop: String?
    @Option(name: .customLong("context"), help: "Context batch size (animatediff.batch_size).") var contextBatchSize: Int?
    @Option(name: .long, help: "Context stride.") var stride: Int?
    @Option(name: .long, help: "Context overlap; -1 = context/4.") var overlap: Int?
    @Option(name: .customLong("latent-power"), help: "img2vid latent power.") var latentPower: Double?
    @Option(name: .customLong("latent-scale"), help: "img2vid latent scale.") var latentScale: Double?
    @Option(name: .customLong("last-frame"), help: "img2vid last frame path.") var lastFrame: String?
    @Option(name: .customLong("latent-power-last"), help: "img2vid last-frame latent power.") var latentPowerLast: Double?
    @Option(name: .customLong("latent-scale-last"), help: "img2vid last-frame latent scale.") var latentScaleLast: Double?
    @Option(name: .customLong("request-id"), help: "File-name suffix.") var requestId: String?
    @Flag(name: .customLong("freeinit"), help: "Enable FreeInit.") var freeinit = false

    @Flag(name: .long, help: "Print the job id and exit; the job keeps running.") var detach = false

    func validate() throws {
        if let size {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--size must be WxH, e.g. 512x512") }
        }
    }

    /// The params object: file, then infotext, then flags.
    func buildParams() throws -> JSONValue {
        var params: [String: JSONValue] = [:]
        if let paramsFile {
            guard let data = FileManager.default.contents(atPath: paramsFile) else {
                throw ValidationError("cannot read --params \(paramsFile)")
            }
            guard case .object(let object) = try JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
                throw ValidationError("--params must hold a JSON object")
            }
            params = object
        }
        if let infotextFile {
            do {
                params["infotext"] = .string(try InfotextFile.read(infotextFile))
            } catch {
                throw ValidationError("\(error)")
            }
        }
        var ad: [String: JSONValue] = [:]
        if case .object(let object)? = params["animatediff"] { ad = object }
        var settings: [String: JSONValue] = [:]
        if case .object(let object)? = params["override_settings"] { settings = object }
        func set(_ key: String, _ value: JSONValue?) { if let value { params[key] = value } }
        func setAD(_ key: String, _ value: JSONValue?) { if let value { ad[key] = value } }
        set("prompt", prompt.map(JSONValue.string))
        set("negative_prompt", negativePrompt.map(JSONValue.string))
        set("steps", steps.map { .int(Int64($0)) })
        set("sampler_name", samplerName.map(JSONValue.string))
        set("scheduler", scheduler.map(JSONValue.string))
        set("cfg_scale", cfgScale.map(JSONValue.double))
        set("seed", seed.map(JSONValue.int))
        set("subseed", subseed.map(JSONValue.int))
        set("subseed_strength", subseedStrength.map(JSONValue.double))
        if let size {
            let parts = size.lowercased().split(separator: "x").compactMap { Int64($0) }
            params["width"] = .int(parts[0])
            params["height"] = .int(parts[1])
        }
        set("width", width.map { .int(Int64($0)) })
        set("height", height.map { .int(Int64($0)) })
        set("batch_size", batchSize.map { .int(Int64($0)) })
        set("n_iter", nIter.map { .int(Int64($0)) })
        set("denoising_strength", denoisingStrength.map(JSONValue.double))
        set("eta", eta.map(JSONValue.double))
        if let initImage { params["init_images"] = .array([.string(initImage)]) }
        if let model { settings["sd_model_checkpoint"] = .string(model) }
        if let vae { settings["sd_vae"] = .string(vae) }
        if let clipSkip { settings["CLIP_stop_at_last_layers"] = .int(Int64(clipSkip)) }
        if !settings.isEmpty { params["override_settings"] = .object(settings) }
        setAD("model", motionModule.map(JSONValue.string))
        if !formats.isEmpty { ad["format"] = .array(formats.map { .string($0.uppercased()) }) }
        setAD("video_length", videoLength.map { .int(Int64($0)) })
        setAD("fps", fps.map { .int(Int64($0)) })
        setAD("loop_number", loopNumber.map { .int(Int64($0)) })
        setAD("closed_loop", closedLoop.map(JSONValue.string))
        setAD("batch_size", contextBatchSize.map { .int(Int64($0)) })
        setAD("stride", stride.map { .int(Int64($0)) })
        setAD("overlap", overlap.map { .int(Int64($0)) })
        setAD("latent_power", latentPower.map(JSONValue.double))
        setAD("latent_scale", latentScale.map(JSONValue.double))
        setAD("last_frame", lastFrame.map(JSONValue.string))
        setAD("latent_power_last", latentPowerLast.map(JSONValue.double))
        setAD("latent_scale_last", latentScaleLast.map(JSONValue.double))
        setAD("request_id", requestId.map(JSONValue.string))
        if freeinit { ad["freeinit_enable"] = .bool(true) }
        if !ad.isEmpty && params["alwayson_scripts"] == nil { params["animatediff"] = .object(ad) }
        if detach { params["detach"] = .bool(true) }
        return .object(params)
    }

    func run() async throws {
        let params = try buildParams()
        let client = try DaemonClient.connect(global)
        let renderer = ProgressRenderer(options: global)
        if detach {
            let value = try client.call("generate", params)
            if global.json { return Output.json(value) }
            print(try client.decode(value, as: GenerateAccepted.self).jobId)
            return
        }
        let interrupts = InterruptWatcher()
        var cancelSent = false
        let id = try sendGenerate(client, params)
        var outcome: Result<JSONValue, RPCError>
        while true {
            do {
                outcome = try client.connection.awaitResponse(id, interrupted: { interrupts.interrupted && !cancelSent }) {
                    renderer.notification($0, $1)
                }
                break
            } catch where error.kind == .timedOut && interrupts.interrupted {
                // First Ctrl-C: cancel the job, then wait for its final answer.
                cancelSent = true
                renderer.finish()
                Output.error("adiffctl: cancelling…")
                if let job = renderer.jobId {
                    _ = try? client.connection.sendRequest("job.cancel", params: try JSONValue(encoding: JobIDParams(jobId: job)))
                } else {
                    client.connection.close()
                    throw ExitCode(ExitCodes.interrupted)
                }
            } catch {
                renderer.finish()
                Output.error("adiffctl: \(error.message)")
                throw ExitCode(ExitCodes.code(for: error))
            }
        }
        renderer.finish()
        switch outcome {
        case .success(let value):
            if global.json {
                Output.json(.object(["result": value]))
                return
            }
            let result = try client.decode(value, as: GenerateResult.self)
            for output in result.outputs { print(output.path) }
            for warning in result.warnings where !global.quiet { Output.error("adiffctl: warning: \(warning)") }
        case .failure(let error):
            client.report(error)
            if cancelSent && error.kind == .cancelled { throw ExitCode(ExitCodes.interrupted) }
            throw ExitCode(ExitCodes.code(for: error.kind))
        }
    }

    private func sendGenerate(_ client: DaemonClient, _ params: JSONValue) throws -> RPCID {
        do {
            return try client.connection.sendRequest("generate", params: params)
        } catch {
            Output.error("adiffctl: \(error.message)")
            throw ExitCode(ExitCodes.code(for: error))
        }
    }
}
