import CADiffShims
import CFFmpeg

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes client-supplied still images (PNG, JPEG, WEBP) and videos (anything FFmpeg demuxes)
/// to RGB8 frames under `DecodeLimits`.
///
/// Safety measures: input only through `MediaInput` (bytes or an already-open fd behind a
/// custom AVIO context); FFmpeg's `io_open` is replaced by one that refuses, so playlists and
/// `concat` scripts cannot reach other files or URLs; demuxers that open files themselves
/// (`AVFMT_NOFILE`) are refused; header dimensions are checked before a decoder opens and the
/// decoder also gets `max_pixels`; a wall-clock deadline is enforced through FFmpeg's interrupt
/// callback and between packets. A decoder that corrupts memory or spins inside one call is
/// not contained in-process (D6/D7 need the service's decoder child process).
public enum MediaDecoder {
    /// Decodes one still image, optionally resized to `size` (bicubic).
    public static func decodeImage(
        _ input: MediaInput, limits: DecodeLimits = .init(), size: (width: Int, height: Int)? = nil
    ) throws(MediaError) -> Frame {
        let bytes = try input.readAll(limit: limits.maximumFileBytes)
        let header = try ImageHeader(bytes, name: input.name)
        try limits.checkSize(header.width, header.height, input.name)
        if let size { try limits.checkSize(size.width, size.height, "requested size") }
        let codecID: AVCodecID =
            switch header.format {
            case .png: AV_CODEC_ID_PNG
            case .jpeg: AV_CODEC_ID_MJPEG
            case .webp: AV_CODEC_ID_WEBP
            }
        let decoder = try Decoder(codecID: codecID, parameters: nil, limits: limits, name: input.name)
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet, av_new_packet(packet, Int32(bytes.count)) >= 0 else {
            throw MediaError(.decodeFailed, "\(input.name): out of memory for the packet")
        }
        bytes.withUnsafeBufferPointer { packet.pointee.data.update(from: $0.baseAddress!, count: $0.count) }
        let converter = RGBConverter(outputSize: size)
        var result: Frame?
        try decoder.decode(packet) { frame throws(MediaError) in
            if result == nil { result = try converter.convert(frame, name: input.name) }
        }
        try decoder.decode(nil) { frame throws(MediaError) in
            if result == nil { result = try converter.convert(frame, name: input.name) }
        }
        guard let result else {
            throw MediaError(.decodeFailed, "\(input.name): the \(header.format.rawValue) decoder produced no picture")
        }
        return result
    }

    /// Decodes the first video stream to frames sampled at `fps` (each output frame shows the
    /// source frame on screen at time `k / fps`), or at the stream's own rate when `fps` is
    /// `nil`. Stops successfully after `frameCount` frames if given; otherwise more than
    /// `limits.maximumFrames` frames is `limitExceeded`.
    public static func decodeVideo(
        _ input: MediaInput, fps: Int? = nil, frameCount: Int? = nil, limits: DecodeLimits = .init(),
        size: (width: Int, height: Int)? = nil
    ) throws(MediaError) -> FrameSequence {
        let name = input.name
        if let fps, !(1...1000).contains(fps) { throw MediaError(.invalidArgument, "fps \(fps) must be in 1...1000") }
        if let frameCount, frameCount < 1 {
            throw MediaError(.invalidArgument, "frame count \(frameCount) must be positive")
        }
        if let size { try limits.checkSize(size.width, size.height, "requested size") }
        let source = try AVIOSource(input, limits: limits)
        if let declared = ImageHeader.declaredVideoSize(source.prefix(256)) {
            try limits.checkSize(declared.width, declared.height, name)
        }
        let demuxer = try Demuxer(source: source, limits: limits, name: name)
        let stream = demuxer.stream
        let parameters = stream.pointee.codecpar!
        try limits.checkSize(Int(parameters.pointee.width), Int(parameters.pointee.height), name)
        let timeBase = stream.pointee.time_base
        let nativeRate = av_guess_frame_rate(demuxer.context, stream, nil)
        let outputFPS =
            fps ?? max(1, min(1000, Int((Double(nativeRate.num) / Double(max(1, nativeRate.den))).rounded())))
        let decoder = try Decoder(
            codecID: parameters.pointee.codec_id, parameters: parameters, limits: limits, name: name)
        let converter = RGBConverter(outputSize: size)
        let wanted = min(frameCount ?? Int.max, limits.maximumFrames + 1)

        var frames = [Frame]()
        var pending: (frame: Frame, time: Double)?
        var firstTime: Double?
        var lastDuration =
            nativeRate.num > 0 ? Double(nativeRate.den) / Double(nativeRate.num) : 1.0 / Double(outputFPS)
        var outputBytes = 0

        func emit(until end: Double) throws(MediaError) {
            guard let (frame, _) = pending else { return }
            while frames.count < wanted && Double(frames.count) / Double(outputFPS) < end - 1e-9 {
                outputBytes += frame.pixels.count
                guard outputBytes <= limits.maximumOutputBytes else {
                    throw MediaError(
                        .limitExceeded, "\(name): decoded frames exceed \(limits.maximumOutputBytes) bytes")
                }
                frames.append(frame)
            }
        }

        func accept(_ decoded: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
            try limits.checkSize(Int(decoded.pointee.width), Int(decoded.pointee.height), name)
            let stamp = decoded.pointee.best_effort_timestamp
            let raw =
                stamp == cadiff_av_nopts_value()
                ? (pending.map { $0.time + lastDuration } ?? 0)
                : Double(stamp) * Double(timeBase.num) / Double(timeBase.den)
            let base = firstTime ?? raw
            firstTime = base
            var time = raw - base
            if let previous = pending {
                if time <= previous.time { time = previous.time + lastDuration }  // broken or repeated stamps
                lastDuration = time - previous.time
            }
            guard time <= limits.maximumDurationSeconds else {
                throw MediaError(.limitExceeded, "\(name): longer than \(limits.maximumDurationSeconds) s")
            }
            if fps == nil {
                let frame = try converter.convert(decoded, name: name)
                outputBytes += frame.pixels.count
                guard outputBytes <= limits.maximumOutputBytes else {
                    throw MediaError(
                        .limitExceeded, "\(name): decoded frames exceed \(limits.maximumOutputBytes) bytes")
                }
                if frames.count < wanted { frames.append(frame) }
                return
            }
            try emit(until: time)
            pending = (try converter.convert(decoded, name: name), time)
        }

        try demuxer.readPackets { packet throws(MediaError) in
            guard packet.pointee.stream_index == stream.pointee.index else { return true }
            try decoder.decode(packet, accept)
            return frames.count < wanted
        }
        if frames.count < wanted {
            try decoder.decode(nil, accept)
            if let current = pending { try emit(until: current.time + lastDuration) }
        }
        guard !frames.isEmpty else { throw MediaError(.noFrames, "\(name): the video contains no decodable frame") }
        if frameCount == nil && frames.count > limits.maximumFrames {
            throw MediaError(.limitExceeded, "\(name): more than \(limits.maximumFrames) frames")
        }
        return try FrameSequence(frames: Array(frames.prefix(frameCount ?? frames.count)), fps: outputFPS)
    }
}

/// Monotonic deadline shared with FFmpeg's interrupt callback.
final class Deadline {
    let end: UInt64

    init(seconds: Double) {
        end = Deadline.now() + UInt64(max(0, seconds) * 1e9)
    }

    var expired: Bool { Deadline.now() > end }

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
