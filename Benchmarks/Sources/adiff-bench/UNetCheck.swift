import ADiffModels
import ADiffTensor
import ADiffWeights
import ArgumentParser
import Dispatch
import Foundation

/// One UNet (+ motion module) evaluation on full-size weights against a reference written by
/// scripts/fixtures/fullsize_unet_check.py (diffusers): max relative error and wall time.
struct UNetCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet-check",
        abstract: "Run the UNet (+ motion modules) once on a reference's inputs; print max rel error and time."
    )

    @Option(help: "SD checkpoint (A1111 single-file layout).")
    var checkpoint: String

    @Option(help: "Motion-module file (original AnimateDiff layout), or none for the image UNet.")
    var motion: String?

    @Option(
        help: "safetensors with latents [N,h,w,4], timesteps [N], context [N,T,C] and the reference output [N,h,w,4].")
    var reference: String

    @Option(help: "Frames per video (default: all rows are one video).")
    var frames: Int?

    @Option(help: "Largest max relative error that passes.")
    var tolerance: Float = 1e-3

    @Option(help: "OpenBLAS threads (default: all available cores).")
    var threads: Int?

    mutating func run() throws {
        BLAS.setThreadCount(threads ?? Parallel.availableCores)
        var start = DispatchTime.now()
        let weights = try ModelParameters.load(
            from: try WeightFiles.open(checkpoint), prefix: "model.diffusion_model.")
        let motionSet = try motion.map {
            try MotionModuleSet(parameters: ModelParameters.load(from: WeightFiles.open($0)))
        }
        let unet = try UNetModel(parameters: weights, motion: motionSet)
        print(
            "loaded UNet (\(weights.residentBytes >> 20) MiB stored) + \(motionSet.map { "\($0.version.displayName), \($0.residentBytes >> 20) MiB" } ?? "no motion module") "
                + "in \(Self.seconds(since: start)) s")

        let file = try WeightFiles.open(reference)
        func tensor(_ name: String) throws -> Tensor { try file.load(name).widened() }
        let latents = try tensor("latents")
        let expected = try tensor("output")
        let rows = latents.shape[0]
        start = DispatchTime.now()
        let cpuStart = Self.cpuSeconds()
        let output = try unet.predictNoise(
            latents: latents, timesteps: try tensor("timesteps").scalars, context: try tensor("context"),
            framesPerVideo: frames ?? rows)
        let elapsed = Self.seconds(since: start)
        let cpu = String(format: "%.1f", Self.cpuSeconds() - cpuStart)

        var difference: Float = 0
        var scale: Float = 0
        for (x, y) in zip(output.scalars, expected.scalars) {
            difference = max(difference, abs(x - y))
            scale = max(scale, abs(y))
        }
        let error = difference / scale
        print(
            "Swift UNetModel (\(BLAS.threadCount) BLAS threads): \(elapsed) s wall, \(cpu) s CPU for latents \(latents.shape)"
        )
        if let seconds = file.metadata["diffusers_seconds"] {
            print("diffusers reference: \(seconds) s wall, \(file.metadata["diffusers_cpu_seconds"] ?? "?") s CPU")
        }
        print("max rel err \(error) (max |Δ| \(difference), max |ref| \(scale)); tolerance \(tolerance)")
        guard output.shape == expected.shape, error <= tolerance else { throw ExitCode.failure }
    }

    /// User + system CPU time of this process (all threads): less disturbed than wall time
    /// when other processes share the cores.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(since start: DispatchTime) -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return String(format: "%.1f", seconds)
    }
}
