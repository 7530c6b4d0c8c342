import ADiffTensor
import ADiffWeights
import ArgumentParser

/// `adiff-make-models`: writes a WebUI-style folder of deterministic random-weight models in
/// the exact public file layouts (SD1.5 checkpoint, AnimateDiff motion modules, LoRAs,
/// embedding) for tests, demos and benchmarks.
@main
struct MakeModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adiff-make-models",
        abstract: "Write deterministic random-weight models in the A1111 / AnimateDiff file layouts."
    )

    @Option(name: .long, help: "Output folder (gets Stable-diffusion/, AnimateDiff/, Lora/, embeddings/).")
    var out: String

    @Option(
        name: .long,
        help: "Model size: tiny (SD1.5 key names, toy widths) or sd15 (real dimensions, ~2 GB checkpoint in fp16).")
    var preset: TestModelPreset = .tiny

    @Option(name: .long, help: "Storage type of the weights: fp16, bf16 or fp32.")
    var dtype: StorageType = .fp16

    @Option(name: .long, help: "Seed of the weights; the same seed always gives the same bytes.")
    var seed: UInt64 = 0

    @Option(
        name: .long,
        help:
            "Positional-table length (most frames per window) of motion modules that store one; default per family (v1/HotShot 24, v2/v3 32)."
    )
    var frames: Int?

    @Option(
        name: .long, parsing: .upToNextOption,
        help:
            "File groups to write: checkpoint, motion, lora, embedding (the default set), and ckpt (opt-in: the checkpoint again as a PyTorch .ckpt with the same weights)."
    )
    var only: [ModelFolderMaker.Component] = []

    func validate() throws {
        if let frames, frames <= 0 { throw ValidationError("--frames must be positive, got \(frames)") }
    }

    func run() throws {
        let options = ModelFolderMaker.Options(
            preset: preset, dtype: dtype.dtype, seed: seed, frames: frames,
            components: only.isEmpty ? ModelFolderMaker.Component.defaults : Set(only)
        )
        // WeightsError is CustomStringConvertible: ArgumentParser prints "Error: <kind>: <message>"
        // and exits with status 1, without the usage text meant for argument mistakes.
        try ModelFolderMaker.make(in: out, options) { print("writing \($0)") }
    }
}

/// Command-line names of the storage types.
enum StorageType: String, ExpressibleByArgument, CaseIterable {
    case fp16, bf16, fp32

    var dtype: DType {
        switch self {
        case .fp16: .float16
        case .bf16: .bfloat16
        case .fp32: .float32
        }
    }
}

extension TestModelPreset: ExpressibleByArgument {}
extension ModelFolderMaker.Component: ExpressibleByArgument {}
