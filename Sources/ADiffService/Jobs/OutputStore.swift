import ADiffMedia
import ADiffProtocol
import Foundation

/// Writes a job's videos under the output root with the extension's layout
/// (`<root>/AnimateDiff/<date>/<seq>-<seed>[-<request_id>].<ext>`), each file published
/// atomically (temp file, fsync, no-replace rename), and lists what it wrote.
public struct OutputStore: Sendable {
    /// The output root; nothing is written outside it.
    public let root: String

    /// Creates a store.
    public init(root: String) {
        self.root = root
    }

    /// Encodes and publishes every video of `result`.
    ///
    /// - Throws: ``RPCError`` `.outputFailed` (disk full, I/O), `.encoderUnavailable`.
    public func write(_ result: GenerationResult, request: GenerationRequest) throws(RPCError) -> [GenerateResult.Output] {
        var outputs: [GenerateResult.Output] = []
        let ad = request.animateDiff
        for video in result.videos {
            var options = OutputRequest(formats: ad.formats, seed: video.seed, requestID: ad.requestId, infotext: video.infotext)
            options.loopNumber = ad.loopNumber
            options.appendReversed = ad.closedLoop == "A" && ad.videoLength <= ad.contextBatchSize
            let written: WrittenOutputs
            do {
                written = try VideoOutputWriter.write(
                    video.frames, root: root, request: options, time: Int(Date().timeIntervalSince1970))
            } catch {
                switch error.kind {
                case .encoderUnavailable: throw RPCError(.encoderUnavailable, error.message)
                case .diskFull, .io, .nameTaken: throw RPCError(.outputFailed, error.message)
                default: throw RPCError(.internal, "encoding failed: \(error.message)")
                }
            }
            for path in written.videos {
                let format = (path as NSString).pathExtension.uppercased()
                outputs.append(.init(path: path, format: format, seed: video.seed))
            }
            if let folder = written.frameFolder { outputs.append(.init(path: folder, format: "PNG", seed: video.seed)) }
            if let text = written.textFile { outputs.append(.init(path: text, format: "TXT", seed: video.seed)) }
        }
        return outputs
    }
}
