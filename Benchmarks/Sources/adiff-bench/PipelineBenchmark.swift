import ADiffModels
import ADiffTensor
import ADiffWeights
import ArgumentParser
import Dispatch
import Foundation

/// The adiff side of Benchmarks/run_side_by_side.py: one workload on the full-size random
/// SD1.5 checkpoint and v2 motion module, timed the way Benchmarks/pytorch/torch_bench.py times
/// PyTorch (models loaded, one warm-up, then the median of `runs`).
struct PipelineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time one full-size workload (step256, step512, vae512, clip, lcm256) on generated SD1.5 models."
    )

    @Option(help: "Folder with Stable-diffusion/ and AnimateDiff/ (adiff-make-models --preset sd15).")
    var models: String

    @Option(help: "step256, step512, vae512, clip or lcm256.")
    var workload: String

    @Option(help: "Compute precision: fp32, or bf16 (oneDNN AVX512-BF16 products).")
    var precision: String = "fp32"

    @Option(help: "Timed runs after the warm-up.")
    var runs: Int = 3

    @Option(help: "OpenBLAS threads (default: all available cores).")
    var threads: Int?

    @Flag(help: "Print one JSON line instead of text.")
    var json = false

    mutating func run() throws {
        guard let computePrecision = ComputePrecision(rawValue: precision) else {
            throw ValidationError("--precision must be fp32 or bf16")
        }
        guard computePrecision.isSupported else { throw ValidationError("this CPU cannot run bf16 natively") }
        BLAS.setThreadCount(threads ?? Parallel.availableCores)
        let checkpointFile = try WeightFiles.open(try Self.find(models + "/Stable-diffusion", suffix: ".safetensors"))
        let frames = 16
        var stream = 0
        func noise(_ shape: [Int]) -> Tensor {
            stream += 1
            var tensor = Tensor(uninitialized: shape)
            tensor.withUnsafeMutableBufferPointer {
                SeededRandom(seed: 0, stream: "bench-\(stream)").fillNormal($0, standardDeviation: 1)
            }
            return tensor
        }
        func tokens() -> [Int32] {
            stream += 1
            let random = SeededRandom(seed: 0, stream: "tokens-\(stream)")
            return (0..<77).map { Int32(random.bits(at: $0) % 49408) }
        }
        let work: () throws -> Void
        switch workload {
        case "step256", "step512", "lcm256":
            let checkpoint = try StableDiffusionCheckpoint(file: checkpointFile)
            let motion = try MotionModuleSet(
                parameters: ModelParameters.load(
                    from: WeightFiles.open(try Self.find(models + "/AnimateDiff", suffix: "v2.safetensors"))))
            let unet = try UNetModel(parameters: checkpoint.unetParameters, config: checkpoint.unet.config, motion: motion)
            let side = workload == "step512" ? 64 : 32
            let latents = noise([2 * frames, side, side, 4])
            let context = noise([2 * frames, 77, 768])
            if workload == "lcm256" {
                let tokens = [tokens(), tokens()]
                work = {
                    _ = try checkpoint.textEncoder.encode(tokenIDs: tokens)
                    var x = latents
                    for step in 0..<6 {
                        let eps = try unet.predictNoise(
                            latents: x, timesteps: Array(repeating: Float(999 - 166 * step), count: 2 * frames),
                            context: context, framesPerVideo: frames)
                        try Elementwise.addScaled(eps, alpha: -0.1, to: &x)
                    }
                    for frame in 0..<frames { _ = try checkpoint.vae.decode(x.batchSlice(frame..<(frame + 1))) }
                }
            } else {
                work = {
                    _ = try unet.predictNoise(
                        latents: latents, timesteps: Array(repeating: 500, count: 2 * frames), context: context,
                        framesPerVideo: frames)
                }
            }
        case "vae512":
            let vae = try VAEModel(parameters: ModelParameters.load(from: checkpointFile, prefix: "first_stage_model."))
            let latent = noise([1, 64, 64, 4])
            work = { _ = try vae.decode(latent) }
        case "clip":
            let parameters = try ModelParameters.load(from: checkpointFile, prefix: "cond_stage_model.transformer.")
            let clip = try CLIPTextModel(parameters: parameters)
            let tokens = [tokens()]
            work = { _ = try clip.encode(tokenIDs: tokens) }
        default:
            throw ValidationError("unknown workload \(workload)")
        }
        let inPrecision = { try ComputePrecision.$current.withValue(computePrecision) { try work() } }
        try inPrecision()
        let blocksBefore = TensorBlockCache.shared.statistics
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now()
            try inPrecision()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        let blocks = TensorBlockCache.shared.statistics
        FileHandle.standardError.write(
            Data(("timed runs: \(blocks.hits - blocksBefore.hits) large blocks reused, \(blocks.misses - blocksBefore.misses) "
                + "allocated, \(blocks.evictions - blocksBefore.evictions) evicted; "
                + "\(TensorBlockCache.shared.heldBytes >> 20) MiB held\n").utf8))
        let median = times.sorted()[times.count / 2]
        if json {
            let list = times.map { String(format: "%.3f", $0) }.joined(separator: ", ")
            print("{\"workload\": \"\(workload)\", \"seconds\": \(median), \"runs\": [\(list)], \"dtype\": \"\(precision)\", \"threads\": \(BLAS.threadCount)}")
        } else {
            print(
                "\(workload): median \(String(format: "%.2f", median)) s over \(runs) runs (\(BLAS.threadCount) threads, "
                    + "\(precision): \(computePrecision.implementation))")
        }
    }

    private static func find(_ folder: String, suffix: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(suffix) }.sorted()
        guard let name = names.first else { throw ValidationError("no *\(suffix) in \(folder)") }
        return folder + "/" + name
    }
}
