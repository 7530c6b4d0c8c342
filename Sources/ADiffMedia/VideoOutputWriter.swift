/// What to write for one video and how (the extension's `format`, `loop_number`, closed loop
/// "A", `request_id` and the output settings).
public struct OutputRequest: Sendable {
    /// Formats to write; at least one of GIF, MP4, WEBP, WEBM, PNG.
    public var formats: Set<OutputFormat>
    /// Seed of the video's frame 0 (part of the file name).
    public var seed: Int64
    /// Optional file-name suffix.
    public var requestID: String?
    /// The A1111 generation-parameters text of the video's first frame.
    public var infotext: String
    /// Whether to embed the infotext in the files (host setting `enable_pnginfo`); TXT is
    /// written either way.
    public var embedInfotext = true
    /// GIF/WEBP loop count; 0 = forever.
    public var loopNumber = 0
    /// Closed loop "A" with `L ≤ B`: append the reversed inner frames before encoding.
    public var appendReversed = false
    /// GIF palette and dithering choices.
    public var gif = GIFEncoder()
    /// MP4/WEBM/WEBP settings.
    public var video = VideoEncoderOptions()

    /// A request with the extension's defaults for everything not named.
    public init(formats: Set<OutputFormat>, seed: Int64, requestID: String? = nil, infotext: String) {
        self.formats = formats
        self.seed = seed
        self.requestID = requestID
        self.infotext = infotext
    }
}

/// Paths of what `VideoOutputWriter` published.
public struct WrittenOutputs: Sendable, Equatable {
    /// `<seq:05>-<seed>[-<request_id>]`.
    public let baseName: String
    /// The dated output folder.
    public let directory: String
    /// Video files in the extension's result order (GIF, MP4, WEBP, WEBM).
    public let videos: [String]
    /// Folder of PNG frames, if PNG was requested.
    public let frameFolder: String?
    /// The `.txt` infotext file, if TXT was requested.
    public let textFile: String?
}

/// Writes every requested format of one video under the extension's naming and folder layout,
/// each file published atomically.
public enum VideoOutputWriter {
    /// Encodes `video` into `<root>/AnimateDiff/<date>/<name>.<ext>` for each requested format.
    ///
    /// The sequence number is chosen from the folder's contents; if another writer takes the
    /// name first (the no-replace rename of the first file fails), the next number is tried.
    public static func write(
        _ video: FrameSequence, root: String, request: OutputRequest, time: Int
    ) throws(MediaError) -> WrittenOutputs {
        guard !request.formats.isDisjoint(with: [.gif, .mp4, .webp, .webm, .png]) else {
            throw MediaError(.invalidArgument, "format needs at least one of GIF, MP4, WEBP, WEBM, PNG")
        }
        guard (0...65_535).contains(request.loopNumber) else {
            throw MediaError(.invalidArgument, "loop_number \(request.loopNumber) must be in 0...65535")
        }
        try request.video.validate()
        let frames = request.appendReversed ? video.appendingReversed() : video
        let directory = OutputNaming.directory(root: root, time: time)
        try AtomicFile.makeDirectories(directory)
        let comment = request.embedInfotext ? request.infotext : nil

        var attempt = 0
        while true {
            let name = try OutputNaming.baseName(
                sequence: OutputNaming.nextSequenceNumber(in: directory), seed: request.seed,
                requestID: request.requestID)
            let stem = directory + "/" + name
            var videos = [String]()
            do {
                for format in OutputFormat.videoOrder where request.formats.contains(format) {
                    let path = stem + "." + format.fileExtension
                    try encode(frames, format: format, to: path, request: request, comment: comment)
                    videos.append(path)
                }
                var frameFolder: String?
                if request.formats.contains(.png) {
                    frameFolder = stem
                    try writeFrames(frames, to: stem, comment: comment)
                }
                var textFile: String?
                if request.formats.contains(.txt) {
                    textFile = stem + ".txt"
                    try AtomicFile.write(Array((request.infotext + "\n").utf8), to: stem + ".txt")
                }
                return WrittenOutputs(
                    baseName: name, directory: directory, videos: videos, frameFolder: frameFolder, textFile: textFile)
            } catch  where error.kind == .nameTaken && videos.isEmpty && attempt < 8 {
                attempt += 1
            }
        }
    }

    private static func encode(
        _ frames: FrameSequence, format: OutputFormat, to path: String, request: OutputRequest, comment: String?
    ) throws(MediaError) {
        switch format {
        case .gif:
            var gif = request.gif
            gif.loopCount = request.loopNumber
            try AtomicFile.write(try gif.encode(frames, comment: comment), to: path)
        case .mp4:
            try AtomicFile.publish(to: path) { temp throws(MediaError) in
                try FFmpegVideoEncoder.writeMP4(frames, to: temp, options: request.video, comment: comment)
            }
        case .webm:
            try AtomicFile.publish(to: path) { temp throws(MediaError) in
                try FFmpegVideoEncoder.writeWebM(frames, to: temp, options: request.video, comment: comment)
            }
        case .webp:
            let bytes = try FFmpegVideoEncoder.encodeWebP(
                frames, loopCount: request.loopNumber, options: request.video, comment: comment)
            try AtomicFile.write(bytes, to: path)
        case .png, .txt:
            break
        }
    }

    /// `<folder>/00000.png …`, each with the `parameters` chunk, published as one folder.
    private static func writeFrames(_ frames: FrameSequence, to folder: String, comment: String?) throws(MediaError) {
        let text = comment.map { [(keyword: "parameters", value: $0)] } ?? []
        try AtomicFile.publishDirectory(to: folder) { temp throws(MediaError) in
            for (index, frame) in frames.frames.enumerated() {
                let number = String(index)
                let name = String(repeating: "0", count: max(0, 5 - number.count)) + number + ".png"
                try AtomicFile.write(try PNGWriter.encode(frame, text: text), to: temp + "/" + name)
            }
        }
    }
}
