import ADiffModels
import ADiffPipeline
import ADiffTensor
import Foundation
import Synchronization

/// ε = tanh(0.6x + 0.3·(mean of x over the row's motion group) + 0.8·mean(context) +
/// 0.05·context[last token, 0]·(c + 1) + 0.05·sin(position in group + 1) + 0.0007·t) + 0.1x —
/// the stand-in UNet of scripts/fixtures/make_pipeline_fixtures.py. The group mean and the
/// position term make context windows and their order matter.
final class AnalyticPredictor: NoisePredictor, Sendable {
    struct Call: Sendable {
        let rows: Int
        let framesPerVideo: Int
    }

    private let log = Mutex<[Call]>([])

    /// Every call so far.
    var calls: [Call] { log.withLock { $0 } }

    func predictNoise(latents: Tensor, timesteps: [Float], context: Tensor, framesPerVideo: Int) throws -> Tensor {
        let n = latents.shape[0]
        let frameSize = latents.count / n
        let channels = latents.shape[3]
        let tokens = context.shape[1]
        let width = context.shape[2]
        guard n % framesPerVideo == 0, context.shape[0] == n, timesteps.count == n else {
            throw ModelError(.invalidInput, "analytic predictor: inconsistent batch")
        }
        log.withLock { $0.append(Call(rows: n, framesPerVideo: framesPerVideo)) }
        let x = latents.scalars
        let c = context.scalars
        var out = [Float](repeating: 0, count: x.count)
        for group in 0..<(n / framesPerVideo) {
            var mean = [Float](repeating: 0, count: frameSize)
            for row in (group * framesPerVideo)..<((group + 1) * framesPerVideo) {
                for i in 0..<frameSize { mean[i] += x[row * frameSize + i] }
            }
            for i in 0..<frameSize { mean[i] /= Float(framesPerVideo) }
            for row in (group * framesPerVideo)..<((group + 1) * framesPerVideo) {
                let block = c[(row * tokens * width)..<((row + 1) * tokens * width)]
                let k = Float(block.reduce(0.0) { $0 + Double($1) } / Double(block.count))
                let k0 = c[row * tokens * width + (tokens - 1) * width]
                let position = sinf(Float(row % framesPerVideo + 1))
                for i in 0..<frameSize {
                    let channel = Float(i % channels)
                    let value = x[row * frameSize + i]
                    let inner =
                        0.6 * value + 0.3 * mean[i] + 0.8 * k + 0.05 * k0 * (channel + 1) + 0.05 * position
                        + 0.0007 * timesteps[row]
                    out[row * frameSize + i] = tanhf(inner) + 0.1 * value
                }
            }
        }
        return Tensor(shape: latents.shape, scalars: out)
    }
}

/// A text encoder that looks texts up in the fixture's table.
struct TableEncoder: PromptEncoding {
    let table: [String: Tensor]

    func encode(_ texts: [String], clipSkip: Int) throws -> [Tensor] {
        try texts.map { text in
            guard let tensor = table[text] else { throw ModelError(.invalidInput, "no encoding for \"\(text)\"") }
            return tensor
        }
    }
}

/// The fixture's VAE stand-in: 8×8 average pooling then a 3→4 linear map (encode); a 4→3 map,
/// tanh and nearest upsampling (decode).
struct AnalyticCodec: LatentCodec {
    static let encoder: [[Float]] = [[0.5, -0.2, 0.1], [0.05, 0.4, -0.3], [-0.25, 0.15, 0.35], [0.2, 0.2, 0.2]]
    static let bias: [Float] = [0.1, -0.05, 0, 0.02]
    static let decoder: [[Float]] = [[0.3, -0.1, 0.2, 0.05], [0.1, 0.25, -0.15, 0.1], [-0.2, 0.05, 0.3, -0.1]]

    func encode(_ image: Tensor) throws -> Tensor {
        let (height, width) = (image.shape[1], image.shape[2])
        let (h, w) = (height / 8, width / 8)
        let pixels = image.scalars
        var out = [Float](repeating: 0, count: h * w * 4)
        for y in 0..<h {
            for x in 0..<w {
                var pooled = [Float](repeating: 0, count: 3)
                for dy in 0..<8 {
                    for dx in 0..<8 {
                        for k in 0..<3 { pooled[k] += pixels[((y * 8 + dy) * width + x * 8 + dx) * 3 + k] }
                    }
                }
                for c in 0..<4 {
                    var sum = Self.bias[c]
                    for k in 0..<3 { sum += Self.encoder[c][k] * pooled[k] / 64 }
                    out[(y * w + x) * 4 + c] = sum
                }
            }
        }
        return Tensor(shape: [1, h, w, 4], scalars: out)
    }

    func decode(_ latent: Tensor) throws -> Tensor {
        let (h, w) = (latent.shape[1], latent.shape[2])
        let values = latent.scalars
        var out = [Float](repeating: 0, count: 64 * h * w * 3)
        for y in 0..<(8 * h) {
            for x in 0..<(8 * w) {
                for k in 0..<3 {
                    var sum: Float = 0
                    for c in 0..<4 { sum += Self.decoder[k][c] * values[((y / 8) * w + x / 8) * 4 + c] }
                    out[(y * 8 * w + x) * 3 + k] = tanhf(sum)
                }
            }
        }
        return Tensor(shape: [1, 8 * h, 8 * w, 3], scalars: out)
    }
}

/// Tests/Fixtures/Pipeline/pipeline.json from scripts/fixtures/make_pipeline_fixtures.py.
struct PipelineFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let sampler: String
        let schedule: String
        let steps: Int
        let cfg: Double
        let seed: Int64
        let L: Int
        let B: Int
        let O: Int
        let S: Int
        let mode: String
        let average: Bool
        let width: Int
        let height: Int
        let prompt: String
        let negative: String
        let strength: Double?
        let last: Bool?
        let latent_power: Double?
        let latent_scale: Double?
        let latents: [Float]
    }

    struct Schedule: Decodable {
        let prompt: String
        let steps: Int
        let schedule: [[ScheduleValue]]
    }

    enum ScheduleValue: Decodable {
        case step(Int)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let step = try? container.decode(Int.self) {
                self = .step(step)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    let encodings: [String: [Float]]
    let width: Int
    let cases: [Case]
    let promptSchedules: [Schedule]
    let images: [String: [Float]]

    static let shared: PipelineFixture = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/pipeline.json")
        return try! JSONDecoder().decode(PipelineFixture.self, from: Data(contentsOf: url))
    }()

    var encoder: TableEncoder {
        TableEncoder(table: encodings.mapValues { Tensor(shape: [$0.count / width, width], scalars: $0) })
    }

    func image(_ name: String) -> Tensor { Tensor(shape: [1, 32, 32, 3], scalars: images[name]!) }

    /// The request a case describes.
    func request(_ c: Case) -> GenerationRequest {
        var r = GenerationRequest()
        r.prompt = c.prompt
        r.negativePrompt = c.negative
        r.steps = c.steps
        r.samplerName = c.sampler
        r.scheduler = c.schedule
        r.cfgScale = c.cfg
        r.seed = c.seed
        r.width = c.width
        r.height = c.height
        r.randnSource = .cpu
        r.animatediff.videoLength = c.L
        r.animatediff.batchSize = c.B
        r.animatediff.overlap = c.O
        r.animatediff.stride = c.S
        r.animatediff.closedLoop = ClosedLoop(rawValue: c.mode)!
        if let strength = c.strength {
            r.initImages = ["init"]
            r.denoisingStrength = strength
            r.animatediff.latentPower = c.latent_power!
            r.animatediff.latentScale = c.latent_scale!
            if c.last == true { r.animatediff.lastFrame = "last" }
        }
        return r
    }

    func images(for c: Case) -> GenerationImages {
        guard c.strength != nil else { return GenerationImages() }
        return GenerationImages(initImage: image("init"), lastFrame: c.last == true ? image("last") : nil)
    }

    func models(_ predictor: AnalyticPredictor) -> GenerationModels {
        GenerationModels(
            unet: predictor, text: encoder, vae: AnalyticCodec(), noiseSchedule: .animateDiffLinear, maximumContext: 32,
            identity: ModelIdentity(
                checkpointName: "tiny", checkpointHash: "0123456789", motionModuleName: "mm_tiny.safetensors",
                motionModuleHash: "abcdef01"))
    }

    /// max |a − b| / max |b|.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }
}
