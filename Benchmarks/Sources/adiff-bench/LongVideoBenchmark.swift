import ADiffModels
import ADiffPipeline
import ADiffTensor
import ADiffWeights
import ArgumentParser
import Dispatch
import Foundation

/// Issue #5's memory bound for long videos: one real `Pipeline.generate` (64 frames at 256×256,
/// context 16, Euler a, CFG 7) on the full-size SD1.5 checkpoint and v2 motion module of a
/// models folder, built the way the daemon's engine builds them, with the process's resident
/// memory measured after loading and at its peak.
///
/// The budget is `peak ≤ resident weights + the UNet's Winograd weights + the tensor block
/// cache's budget + 2 GiB`; the peak is the whole process's high-water mark, loading included.
/// The Winograd weights are a fixed cost per generation (each 3×3 conv layer keeps its
/// transform, fp32, 16/9 of the kernel), bounded here from above by every 3×3 UNet kernel with
/// at least 64 input channels; the block cache keeps freed activation blocks for reuse, up to
/// its budget. Frames are produced
/// but not encoded (no GIF).
struct LongVideoBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "long-video",
        abstract: "Peak memory of a long txt2vid (64 frames, 256², context 16) on full-size models."
    )

    @Option(help: "Folder with Stable-diffusion/ and AnimateDiff/ (adiff-make-models --preset sd15).")
    var models: String

    @Option(help: "Motion-module file name suffix in AnimateDiff/.")
    var motion: String = "v2.safetensors"

    @Option(help: "Frames (video_length).")
    var frames: Int = 64

    @Option(help: "Width and height in pixels.")
    var size: Int = 256

    @Option(help: "Context window (batch_size); the overlap is the default (context / 4).")
    var context: Int = 16

    @Option(help: "Sampler steps (memory does not depend on them).")
    var steps: Int = 1

    @Option(help: "OpenBLAS threads (default: all available cores).")
    var threads: Int?

    /// The budget above the resident weights.
    static let headroom = 2 << 30

    mutating func run() throws {
        BLAS.setThreadCount(threads ?? Parallel.availableCores)
        let clock = ContinuousClock()
        let loadStart = clock.now
        let checkpointPath = try Self.find(models + "/Stable-diffusion", suffix: ".safetensors")
        let motionPath = try Self.find(models + "/AnimateDiff", suffix: motion)
        let checkpoint = try StableDiffusionCheckpoint(file: try WeightFiles.open(checkpointPath))
        let motionSet = try MotionModuleSet(parameters: try ModelParameters.load(from: try WeightFiles.open(motionPath)))
        // As PipelineEngine does: a UNet sharing the checkpoint's weights, with the motion module.
        let unet = try UNetModel(parameters: checkpoint.unetParameters, config: checkpoint.unet.config, motion: motionSet)
        let generationModels = GenerationModels(
            unet: unet, text: try CLIPPromptEncoder(model: checkpoint.textEncoder), vae: checkpoint.vae,
            noiseSchedule: motionSet.version == .animateDiffXL ? .animateDiffXL : .animateDiffLinear,
            maximumContext: motionSet.maximumFrames,
            identity: ModelIdentity(
                checkpointName: Self.stem(checkpointPath), motionModuleName: (motionPath as NSString).lastPathComponent))
        let loadSeconds = Self.seconds(clock.now - loadStart)
        let weights = checkpoint.residentBytes + motionSet.residentBytes
        let afterLoad = MemoryStatus.read()
        // The load's transient peak (tensor buffers while files are read) is not the
        // generation's: reset the high-water mark where the kernel allows it.
        let resetPeak = MemoryStatus.resetPeak()

        var request = GenerationRequest()
        request.prompt = "a corgi running on a beach, waves, golden hour"
        request.negativePrompt = "blurry, lowres"
        request.steps = steps
        request.samplerName = "Euler a"
        request.cfgScale = 7
        request.seed = 0
        request.width = size
        request.height = size
        request.randnSource = .cpu
        request.animatediff.videoLength = frames
        request.animatediff.batchSize = context
        let planner = try ContextWindowScheduler(
            frameCount: frames, contextSize: context, overlap: request.animatediff.overlap,
            stride: request.animatediff.stride, closedLoop: request.animatediff.closedLoop)
        let windowsPerStep = (0..<steps).map { planner.windows(step: $0).count }

        print("OpenBLAS: \(BLAS.configuration), \(BLAS.threadCount) threads")
        print("checkpoint \(checkpointPath) + motion \(motionPath) (\(motionSet.version)), loaded in \(format(loadSeconds, 1)) s")
        print(
            "txt2vid \(frames) frames \(size)×\(size), context \(context) overlap \(planner.overlap) "
                + "(\(request.animatediff.closedLoop.rawValue)), Euler a, CFG 7, \(steps) step(s); UNet windows per step "
                + "\(windowsPerStep) of \(2 * context) rows (cond + uncond)")
        print("resident weights \(Self.mib(weights)); RSS after loading \(Self.mib(afterLoad.resident)), load peak \(Self.mib(afterLoad.peak))")

        let started = clock.now
        let output = try Pipeline.generate(
            request, models: generationModels,
            progress: { report in
                let elapsed = format(Self.seconds(clock.now - started), 0)
                switch report.phase {
                case .sampling where report.windows > 0:
                    print("  [\(elapsed) s] step \(report.step + 1)/\(report.steps) window \(report.window)/\(report.windows)")
                case .decoding where report.step % 16 == 0:
                    print("  [\(elapsed) s] decoded \(report.step)/\(report.steps) frames")
                default:
                    break
                }
                fflush(nil)  // all streams: `stdout` is a global Swift 6 will not touch
            })
        let wall = Self.seconds(clock.now - started)
        let end = MemoryStatus.read()
        let frameCount = output.videos.first?.frames.count ?? 0

        let maxRSS = MemoryStatus.maxRSS()
        let generationPeak = resetPeak ? end.peak : max(end.peak, maxRSS)
        let processPeak = max(maxRSS, end.peak, afterLoad.peak)
        let winograd = Self.winogradBytes(checkpoint.unetParameters)
        let blockCache = TensorBlockCache.shared.budgetBytes
        let budget = weights + winograd + blockCache + Self.headroom
        let timings = output.timings
        print(
            "generated \(frameCount) frames in \(format(wall, 1)) s (encode \(format(Self.seconds(timings.encoding), 1)) s, "
                + "sample \(format(Self.seconds(timings.sampling), 1)) s, decode \(format(Self.seconds(timings.decoding), 1)) s)")
        print("weights (checkpoint + motion)   \(Self.mib(weights))")
        print("baseline RSS after loading      \(Self.mib(afterLoad.resident))")
        print("peak RSS ru_maxrss (whole run)  \(Self.mib(maxRSS))")
        print("peak RSS VmHWM \(resetPeak ? "(generation only)" : "(whole run)    ") \(Self.mib(end.peak))")
        print("generation peak − baseline      \(Self.mib(generationPeak - afterLoad.resident))")
        print("Winograd weights (upper bound)  \(Self.mib(winograd))")
        print("tensor block cache budget       \(Self.mib(blockCache))")
        print("peak − weights                  \(Self.mib(processPeak - weights))")
        print(
            "budget: peak \(Self.mib(processPeak)) ≤ weights + Winograd + block cache + 2 GiB = \(Self.mib(budget)) → "
                + (processPeak <= budget ? "PASS" : "FAIL"))
    }

    /// Bytes of fp32 Winograd matrices (16 per input/output channel pair) the UNet's 3×3 convs
    /// with at least 64 input channels can keep.
    private static func winogradBytes(_ parameters: ModelParameters) -> Int {
        parameters.entries.values.reduce(0) { total, weight in
            let shape = weight.shape
            guard shape.count == 4, shape[2] == 3, shape[3] == 3, shape[1] >= 64 else { return total }
            return total + 16 * shape[0] * shape[1] * MemoryLayout<Float>.size
        }
    }

    private static func find(_ folder: String, suffix: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(suffix) }.sorted()
        guard let name = names.first else { throw ValidationError("no *\(suffix) in \(folder)") }
        return folder + "/" + name
    }

    private static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func mib(_ bytes: Int) -> String {
        "\(format(Double(bytes) / Double(1 << 20), 1)) MiB"
    }
}

/// This process's resident memory from /proc/self/status and getrusage.
enum MemoryStatus {
    /// Current (`VmRSS`) and peak (`VmHWM`) resident bytes.
    struct Reading {
        var resident: Int
        var peak: Int
    }

    /// `VmRSS` and `VmHWM` now (0 where /proc is unavailable).
    static func read() -> Reading {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return Reading(resident: 0, peak: 0)
        }
        func kibibytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return Reading(resident: kibibytes("VmRSS"), peak: kibibytes("VmHWM"))
    }

    /// `ru_maxrss` of getrusage: the process's peak resident bytes (Linux counts KiB).
    static func maxRSS() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// Resets `VmHWM` to the current RSS (`5` into /proc/self/clear_refs, Linux ≥ 4.0);
    /// false when the kernel refused. `ru_maxrss` is never reset.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
        } catch {
            return false
        }
        // Reset, the high-water mark is the current RSS (give or take pages touched since).
        let after = read()
        return after.peak <= after.resident + (64 << 20)
    }
}
