import ADiffTensor
import ArgumentParser
import Dispatch
import Foundation

/// Benchmarks for adiff's CPU kernels.
@main
struct ADiffBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adiff-bench",
        abstract: "Benchmarks for adiff: CPU kernels, media encoders, a full-size UNet check.",
        subcommands: [Kernels.self, MediaBenchmark.self, UNetCheck.self, PipelineBenchmark.self, LongVideoBenchmark.self]
    )
}

/// Times the GEMM-shaped kernels at SD1.5 512×512 shapes against raw square sgemm in one run.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time linear, conv and attention kernels at SD1.5 512² shapes against square sgemm."
    )

    @Option(help: "Timed repetitions per kernel; the best is reported (the machine may be shared).")
    var repetitions = 5

    @Option(help: "Side of the square sgemm reference problem.")
    var square = 2048

    @Option(help: "Image side of the VAE 128→128 conv (256 or 512).")
    var vaeSize = 256

    @Option(help: "OpenBLAS threads (default: all available cores).")
    var threads: Int?

    @Option(help: "Only run benchmarks whose name contains this text (the reference sgemm always runs).")
    var only: String?

    @Flag(help: "Also time the alternatives the kernels chose between (conv algorithms, attention blocks and threading, NN vs NT weights).")
    var variants = false

    mutating func run() throws {
        BLAS.setThreadCount(threads ?? Parallel.availableCores)
        print("OpenBLAS: \(BLAS.configuration), \(BLAS.threadCount) threads; best of \(repetitions)")
        var bench = Bench(repetitions: repetitions, filter: only)

        let reference = bench.sgemm("sgemm \(square)³ (reference)", m: square, n: square, k: square)
        if square != 4096 && only == nil { bench.sgemm("sgemm 4096³", m: 4096, n: 4096, k: 4096) }
        (bench.reference, bench.cpuReference) = reference

        try bench.linear("linear 4096×320→320 +bias", rows: 4096, inputs: 320, outputs: 320)
        try bench.linear("GEGLU proj 4096×320→2560 +bias", rows: 4096, inputs: 320, outputs: 2560)
        try bench.linear("motion linear 65536×320→320 +bias", rows: 65536, inputs: 320, outputs: 320)
        if variants {
            bench.sgemm("  raw NT 4096×2560×320 ([out,in] weight)", m: 4096, n: 2560, k: 320, transposeB: true)
            bench.sgemm("  raw NN 4096×2560×320 ([in,out] weight)", m: 4096, n: 2560, k: 320)
        }

        // With --variants, every 3×3 stride-1 conv of the UNet and the VAE decoder is timed with
        // each algorithm, for the automatic choice (Benchmarks/README.md).
        let convCases: [(name: String, size: Int, channels: Int)] =
            variants
            ? [
                ("conv 3×3 320→320 @64×64", 64, 320), ("conv 3×3 640→640 @32×32", 32, 640),
                ("conv 3×3 1280→1280 @16×16", 16, 1280), ("conv 3×3 1280→1280 @8×8", 8, 1280),
                ("VAE conv 3×3 128→128 @512²", 512, 128), ("VAE conv 3×3 256→256 @256²", 256, 256),
                ("VAE conv 3×3 512→512 @128²", 128, 512), ("VAE conv 3×3 512→512 @64²", 64, 512),
            ]
            : [
                ("conv 3×3 320→320 @64×64", 64, 320), ("conv 3×3 640→640 @32×32", 32, 640),
                ("conv 3×3 1280→1280 @16×16", 16, 1280), ("VAE conv 3×3 128→128 @\(vaeSize)²", vaeSize, 128),
            ]
        let convAlgorithms: [Conv2d.Algorithm] = variants ? [.automatic, .shifted, .im2col, .winograd] : [.automatic]
        for convCase in convCases {
            for algorithm in convAlgorithms {
                let suffix = algorithm == .automatic ? "" : "  [\(algorithm)]"
                try bench.conv(
                    "\(convCase.name)\(suffix)", size: convCase.size, inputs: convCase.channels, outputs: convCase.channels,
                    algorithm: algorithm
                )
            }
        }
        if variants {
            // The UNet runs 2 × 16 frames at once: its 1280-channel convs see batch 32 (8×8 latents
            // at 256², 16×16 at 512²), where Winograd's GEMMs are long enough to pay.
            for (name, size, inputs) in [
                ("UNet conv 3×3 1280→1280 @8×8 ×32", 8, 1280), ("UNet conv 3×3 2560→1280 @8×8 ×32", 8, 2560),
                ("UNet conv 3×3 1280→1280 @16×16 ×32", 16, 1280), ("UNet conv 3×3 1280→1280 @4×4 ×32", 4, 1280),
            ] {
                for algorithm in convAlgorithms {
                    let suffix = algorithm == .automatic ? "" : "  [\(algorithm)]"
                    try bench.conv("\(name)\(suffix)", size: size, inputs: inputs, outputs: 1280, batch: 32, algorithm: algorithm)
                }
            }
        }
        try bench.conv("conv 3×3 s2 320→320 @64×64→32×32", size: 64, inputs: 320, outputs: 320, stride: 2)
        try bench.conv("conv 1×1 640→320 @32×32", size: 32, inputs: 640, outputs: 320, kernel: 1)

        try bench.attention("self-attn 4096 tok × 8 × 40", queryTokens: 4096, keyTokens: 4096)
        try bench.attention("cross-attn 4096 × 77 keys × 8 × 40", queryTokens: 4096, keyTokens: 77)
        if variants {
            for block in [32, 64, 128, 256] {
                try bench.attention("  self-attn, query block \(block)", queryTokens: 4096, keyTokens: 4096, queryBlock: block)
            }
            try bench.attentionHeadByHead("  self-attn, heads in turn, 2-thread GEMMs", queryTokens: 4096, keyTokens: 4096)
        }
        try bench.temporal("temporal attn 16 fr × 4096 pos × 8 × 40", frames: 16, positions: 4096)
        try bench.attention("CLIP attn 77 tok × 12 × 64 causal", queryTokens: 77, keyTokens: 77, heads: 12, headDimension: 64, causal: true)
    }
}

/// Runs and prints timings; every figure is the best of `repetitions` after one warm-up run.
///
/// Short kernels repeat until they have run for at least a second, so the best run is likely
/// to fall in a quiet moment of a shared machine.
struct Bench {
    let repetitions: Int
    let filter: String?
    var reference: Double = 0
    var cpuReference: Double = 0

    init(repetitions: Int, filter: String?) {
        self.repetitions = max(1, repetitions)
        self.filter = filter
    }

    func selected(_ name: String) -> Bool {
        guard let filter, reference > 0 else { return true }
        return name.contains(filter)
    }

    /// Wall seconds of the fastest run, and the cores other processes kept busy during it.
    struct Timing {
        var seconds = Double.infinity
        var foreignCores = 0.0
        /// This process's CPU seconds in the fastest run.
        var cpuSeconds = Double.infinity
    }

    func time(_ body: () throws -> Void) rethrows -> Timing {
        try body()
        var best = Timing()
        var total = 0.0
        var runs = 0
        while runs < repetitions || (total < 1 && runs < 200) {
            let busyBefore = Load.busySeconds(), ownBefore = Load.ownCPUSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let own = Load.ownCPUSeconds() - ownBefore
            let foreign = (Load.busySeconds() - busyBefore - own) / seconds
            if seconds < best.seconds { best.seconds = seconds; best.foreignCores = max(0, foreign) }
            best.cpuSeconds = min(best.cpuSeconds, own)
            total += seconds
            runs += 1
        }
        return best
    }

    /// Prints one result line and returns GFLOP/s.
    @discardableResult
    func report(_ name: String, flops: Double, seconds timing: Timing) -> (wall: Double, cpu: Double) {
        let seconds = timing.seconds
        let rate = flops / seconds / 1e9
        let ratio = reference > 0 ? "\(format(100 * rate / reference, 0)) %" : "—"
        let cpuRate = flops / timing.cpuSeconds / 1e9
        let cpuRatio = cpuReference > 0 ? "\(format(100 * cpuRate / cpuReference, 0)) %" : "—"
        print(
            name.padding(toLength: 46, withPad: " ", startingAt: 0)
                + " \(format(seconds * 1e3, 2).leftPadded(9)) ms  \(format(rate, 1).leftPadded(7)) GFLOP/s  \(ratio.leftPadded(6))"
                + "  | per CPU-s \(format(cpuRate, 1).leftPadded(7))  \(cpuRatio.leftPadded(6))"
                + "  | foreign load \(format(timing.foreignCores, 2)) cores"
        )
        return (rate, cpuRate)
    }

    @discardableResult
    func sgemm(_ name: String, m: Int, n: Int, k: Int, transposeB: Bool = false) -> (wall: Double, cpu: Double) {
        guard selected(name) else { return (0, 0) }
        let a = random(m * k), b = random(k * n)
        var c = Tensor(zeros: [m, n])
        let seconds = time {
            c.withUnsafeMutableBufferPointer { c in
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        BLAS.gemm(
                            transposeB: transposeB, m: m, n: n, k: k,
                            a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: transposeB ? k : n,
                            c: c.baseAddress!, ldc: n
                        )
                    }
                }
            }
        }
        return report(name, flops: 2 * Double(m * n * k), seconds: seconds)
    }

    func linear(_ name: String, rows: Int, inputs: Int, outputs: Int) throws {
        guard selected(name) else { return }
        let layer = try Linear(weight: random(outputs * inputs).reshaped([outputs, inputs]), bias: random(outputs))
        let x = random(rows * inputs)
        // Into a reused buffer: the kernel's cost without the first-touch page faults of a
        // fresh output tensor.
        var y = Tensor(zeros: [rows * outputs])
        let seconds = time {
            y.withUnsafeMutableBufferPointer { y in
                x.withUnsafeBufferPointer { x in
                    layer.apply(rows: rows, input: x.baseAddress!, inputStride: inputs, output: y.baseAddress!, outputStride: outputs)
                }
            }
        }
        report(name, flops: 2 * Double(rows * inputs * outputs), seconds: seconds)
    }

    func conv(
        _ name: String, size: Int, inputs: Int, outputs: Int,
        kernel: Int = 3, stride: Int = 1, batch: Int = 1, algorithm: Conv2d.Algorithm = .automatic
    ) throws {
        guard selected(name) else { return }
        let weights = try Conv2dWeights(
            oihw: random(outputs * inputs * kernel * kernel).reshaped([outputs, inputs, kernel, kernel]),
            bias: random(outputs)
        )
        let x = random(batch * size * size * inputs).reshaped([batch, size, size, inputs])
        let out = size / stride
        // A fresh Conv2d per call sharing one Winograd cache, as Conv2dLayer does: the weight
        // transform runs in the warm-up only.
        let winogradWeights = Conv2dWinogradWeights()
        let seconds = try time {
            _ = try Conv2d(
                weights: weights, stride: stride, padding: .init(kernel / 2), algorithm: algorithm,
                winogradWeights: winogradWeights)(x)
        }
        report(name, flops: 2 * Double(batch * out * out * outputs * inputs * kernel * kernel), seconds: seconds)
    }

    func attention(
        _ name: String, queryTokens: Int, keyTokens: Int, heads: Int = 8, headDimension: Int = 40,
        causal: Bool = false, queryBlock: Int? = nil
    ) throws {
        guard selected(name) else { return }
        let channels = heads * headDimension
        let q = random(queryTokens * channels).reshaped([1, queryTokens, channels])
        let k = random(keyTokens * channels).reshaped([1, keyTokens, channels])
        let v = random(keyTokens * channels).reshaped([1, keyTokens, channels])
        let seconds = try time {
            _ = try Attention.scaledDotProduct(query: q, key: k, value: v, heads: heads, causal: causal, queryBlock: queryBlock)
        }
        let pairs = causal ? Double(queryTokens * (keyTokens + 1)) / 2 : Double(queryTokens * keyTokens)
        report(name, flops: 4 * pairs * Double(channels), seconds: seconds)
    }

    /// One head at a time, so each GEMM gets all OpenBLAS threads (the alternative to
    /// spreading heads over the cores with single-threaded GEMMs).
    func attentionHeadByHead(_ name: String, queryTokens: Int, keyTokens: Int, heads: Int = 8, headDimension: Int = 40) throws {
        guard selected(name) else { return }
        let channels = heads * headDimension
        let q = random(queryTokens * channels), k = random(keyTokens * channels), v = random(keyTokens * channels)
        var o = Tensor(zeros: [queryTokens * channels])
        let seconds = time {
            o.withUnsafeMutableBufferPointer { o in
                q.withUnsafeBufferPointer { q in
                    k.withUnsafeBufferPointer { k in
                        v.withUnsafeBufferPointer { v in
                            for h in 0..<heads {
                                Attention.compute(
                                    batch: 1, heads: 1, headDimension: headDimension,
                                    queryTokens: queryTokens, keyTokens: keyTokens,
                                    query: q.baseAddress! + h * headDimension, queryLayout: .contiguous(tokens: queryTokens, channels: channels),
                                    key: k.baseAddress! + h * headDimension, keyLayout: .contiguous(tokens: keyTokens, channels: channels),
                                    value: v.baseAddress! + h * headDimension, valueLayout: .contiguous(tokens: keyTokens, channels: channels),
                                    output: o.baseAddress! + h * headDimension, outputLayout: .contiguous(tokens: queryTokens, channels: channels),
                                    causal: false
                                )
                            }
                        }
                    }
                }
            }
        }
        report(name, flops: 4 * Double(queryTokens * keyTokens * channels), seconds: seconds)
    }

    func temporal(_ name: String, frames: Int, positions: Int, heads: Int = 8, headDimension: Int = 40) throws {
        guard selected(name) else { return }
        let channels = heads * headDimension
        let shape = [1, frames, positions, channels]
        let count = frames * positions * channels
        let q = random(count).reshaped(shape), k = random(count).reshaped(shape), v = random(count).reshaped(shape)
        let seconds = try time { _ = try Attention.temporal(query: q, key: k, value: v, heads: heads) }
        report(name, flops: 4 * Double(positions * frames * frames * channels), seconds: seconds)
    }

    /// Uniform values in [-1, 1) from a fixed linear congruential sequence.
    func random(_ count: Int) -> Tensor {
        var state: UInt32 = 12_345
        var t = Tensor(uninitialized: [count])
        t.withUnsafeMutableBufferPointer { p in
            for i in 0..<count {
                state = state &* 1_664_525 &+ 1_013_904_223
                p[i] = Float(state >> 8) / Float(1 << 23) - 1
            }
        }
        return t
    }
}

/// CPU accounting for the foreign-load figure: all cores' busy time from /proc/stat, and this
/// process's own CPU time.
enum Load {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func busySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first
        else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 5 else { return 0 }
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
        return (fields.reduce(0, +) - fields[3] - fields[4]) / ticksPerSecond
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
    return text
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
