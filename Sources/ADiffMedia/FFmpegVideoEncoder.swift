import CADiffShims
import CFFmpeg

/// MP4 (H.264), WEBM (VP9) and animated WEBP through libavcodec/libavformat.
///
/// Frames are fed as RGB24 and converted with swscale (BT.601, limited range, the default every
/// player assumes for untagged H.264/VP9). Timestamps count frames in a `1/fps` time base, so the
/// container rate is exactly `fps` and every input frame becomes one output frame.
///
/// Odd sizes: 4:2:0 formats (MP4, WEBM) need even dimensions, so an odd width or height is
/// padded by one column or row that repeats the last one (a 511×383 video is stored as 512×384);
/// WEBP keeps the exact size.
public enum FFmpegVideoEncoder {
    /// Writes `video` as H.264 MP4 (yuv420p, CRF, `+faststart`) to `path`, with the infotext as
    /// the container's `comment` tag.
    public static func writeMP4(
        _ video: FrameSequence, to path: String, options: VideoEncoderOptions = .init(), comment: String? = nil
    ) throws(MediaError) {
        try options.validate()
        var codecOptions = [("crf", String(options.mp4CRF)), ("threads", String(options.threads))]
        if let preset = options.mp4Preset { codecOptions.append(("preset", preset)) }
        if let tune = options.mp4Tune { codecOptions.append(("tune", tune)) }
        try writeContainer(
            video, to: path, muxer: "mp4", encoder: "libx264", codecOptions: codecOptions,
            bitRate: 0, muxerOptions: [("movflags", "+faststart")],
            metadata: comment.map { [("comment", $0)] } ?? []
        )
    }

    /// Writes `video` as VP9 WEBM (yuv420p, target bit rate) to `path`, with the infotext as the
    /// `title` and `comment` tags as the extension does.
    public static func writeWebM(
        _ video: FrameSequence, to path: String, options: VideoEncoderOptions = .init(), comment: String? = nil
    ) throws(MediaError) {
        try options.validate()
        try writeContainer(
            video, to: path, muxer: "webm", encoder: "libvpx-vp9",
            codecOptions: [
                ("deadline", "good"), ("cpu-used", String(options.webmSpeed)), ("row-mt", "1"),
                ("threads", String(options.threads)),
            ],
            bitRate: options.webmBitRate, muxerOptions: [],
            metadata: comment.map { [("title", $0), ("comment", $0)] } ?? []
        )
    }

    /// The bytes of `video` as an animated WEBP (`libwebp_anim`), post-processed by
    /// `WebPContainer` for the loop count, exact frame delays and the EXIF infotext.
    public static func encodeWebP(
        _ video: FrameSequence, loopCount: Int = 0, options: VideoEncoderOptions = .init(), comment: String? = nil
    ) throws(MediaError) -> [UInt8] {
        try options.validate()
        guard (0...65_535).contains(loopCount) else {
            throw MediaError(.invalidArgument, "WebP loop count \(loopCount) must be in 0...65535")
        }
        guard video.width <= 16_383, video.height <= 16_383 else {
            throw MediaError(.invalidArgument, "WebP frames are limited to 16383x16383")
        }
        let delay = WebPContainer.delayMilliseconds(fps: video.fps)
        var packets = [UInt8]()
        try encode(
            video, encoder: "libwebp_anim", pixelFormat: AV_PIX_FMT_BGRA, padToEven: false,
            timeBase: AVRational(num: 1, den: 1000), ptsStep: Int64(delay), bitRate: 0,
            codecOptions: [
                ("quality", String(options.webpQuality)), ("lossless", options.webpLossless ? "1" : "0"),
                ("threads", String(options.threads)),
            ],
            globalHeader: false, prepare: { _ throws(MediaError) in },
            packet: { packet, _ throws(MediaError) in
                packets.append(
                    contentsOf: UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            }
        )
        return try WebPContainer.finish(
            packets, frameCount: video.count, delayMilliseconds: delay, loopCount: loopCount, comment: comment
        )
    }

    // MARK: - Container path (MP4, WEBM)

    private static func writeContainer(
        _ video: FrameSequence, to path: String, muxer: String, encoder: String,
        codecOptions: [(String, String)], bitRate: Int, muxerOptions: [(String, String)],
        metadata: [(String, String)]
    ) throws(MediaError) {
        // "file:" keeps a ':' in the path from being read as a protocol name.
        let url = "file:" + path
        var format: UnsafeMutablePointer<AVFormatContext>?
        let status = avformat_alloc_output_context2(&format, nil, muxer, url)
        guard status >= 0, let format else {
            throw MediaError(.encoderUnavailable, "muxer \(muxer) unavailable: \(FFmpegSupport.message(status))")
        }
        defer {
            if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
            avformat_free_context(format)
        }
        guard let stream = avformat_new_stream(format, nil) else {
            throw MediaError(.encodeFailed, "could not add a stream to the \(muxer) output")
        }
        for (key, value) in metadata { av_dict_set(&format.pointee.metadata, key, value, 0) }
        let globalHeader = (format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0
        var headerWritten = false
        try encode(
            video, encoder: encoder, pixelFormat: AV_PIX_FMT_YUV420P, padToEven: true,
            timeBase: AVRational(num: 1, den: Int32(video.fps)), ptsStep: 1, bitRate: bitRate,
            codecOptions: codecOptions, globalHeader: globalHeader,
            prepare: { context throws(MediaError) in
                var result = avcodec_parameters_from_context(stream.pointee.codecpar, context)
                guard result >= 0 else {
                    throw MediaError(.encodeFailed, "codec parameters: \(FFmpegSupport.message(result))")
                }
                stream.pointee.time_base = context.pointee.time_base
                stream.pointee.avg_frame_rate = AVRational(num: Int32(video.fps), den: 1)
                stream.pointee.r_frame_rate = stream.pointee.avg_frame_rate
                result = avio_open(&format.pointee.pb, url, AVIO_FLAG_WRITE)
                guard result >= 0 else {
                    throw MediaError(
                        .io, "cannot open the \(muxer) output for writing: \(FFmpegSupport.message(result))")
                }
                var options = FFmpegSupport.dictionary(muxerOptions)
                defer { av_dict_free(&options) }
                result = avformat_write_header(format, &options)
                guard result >= 0 else {
                    throw MediaError(.encodeFailed, "\(muxer) header: \(FFmpegSupport.message(result))")
                }
                headerWritten = true
            },
            packet: { packet, context throws(MediaError) in
                av_packet_rescale_ts(packet, context.pointee.time_base, stream.pointee.time_base)
                packet.pointee.stream_index = stream.pointee.index
                let result = av_interleaved_write_frame(format, packet)
                guard result >= 0 else {
                    throw MediaError(.encodeFailed, "\(muxer) write: \(FFmpegSupport.message(result))")
                }
            }
        )
        guard headerWritten else { throw MediaError(.encodeFailed, "\(muxer) header was never written") }
        let result = av_write_trailer(format)
        guard result >= 0 else { throw MediaError(.encodeFailed, "\(muxer) trailer: \(FFmpegSupport.message(result))") }
        let closed = avio_closep(&format.pointee.pb)
        guard closed >= 0 else {
            throw MediaError(.io, "closing the \(muxer) output: \(FFmpegSupport.message(closed))")
        }
    }

    // MARK: - Codec loop

    private static func encode(
        _ video: FrameSequence, encoder name: String, pixelFormat: AVPixelFormat, padToEven: Bool,
        timeBase: AVRational, ptsStep: Int64, bitRate: Int, codecOptions: [(String, String)], globalHeader: Bool,
        prepare: (UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Void,
        packet handle: (UnsafeMutablePointer<AVPacket>, UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Void
    ) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw MediaError(.encoderUnavailable, "this FFmpeg build has no \(name) encoder")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(.encodeFailed, "could not allocate a \(name) context")
        }
        defer {
            var optional: UnsafeMutablePointer<AVCodecContext>? = context
            avcodec_free_context(&optional)
        }
        let width = padToEven ? (video.width + 1) & ~1 : video.width
        let height = padToEven ? (video.height + 1) & ~1 : video.height
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = pixelFormat
        context.pointee.time_base = timeBase
        context.pointee.framerate = AVRational(num: Int32(video.fps), den: 1)
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        if bitRate > 0 { context.pointee.bit_rate = Int64(bitRate) }
        if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var options = FFmpegSupport.dictionary(codecOptions)
        defer { av_dict_free(&options) }
        let opened = avcodec_open2(context, codec, &options)
        guard opened >= 0 else {
            throw MediaError(.encodeFailed, "opening \(name): \(FFmpegSupport.message(opened))")
        }
        try prepare(context)

        guard
            let scaler = sws_getContext(
                Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), pixelFormat,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nil, nil, nil
            )
        else {
            throw MediaError(
                .encodeFailed, "swscale cannot convert rgb24 to \(String(cString: av_get_pix_fmt_name(pixelFormat)))")
        }
        defer { sws_freeContext(scaler) }
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer {
            av_frame_free(&frame)
            av_packet_free(&packet)
        }
        guard let frame, let packet else { throw MediaError(.encodeFailed, "out of memory allocating frames") }
        frame.pointee.format = pixelFormat.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        guard av_frame_get_buffer(frame, 0) >= 0 else { throw MediaError(.encodeFailed, "out of memory for a frame") }

        var source = [UInt8](repeating: 0, count: width * height * 3)
        for (index, input) in video.frames.enumerated() {
            guard av_frame_make_writable(frame) >= 0 else {
                throw MediaError(.encodeFailed, "frame buffer not writable")
            }
            pad(input, into: &source, width: width, height: height)
            let (data, lineSizes) = FFmpegSupport.planes(frame)
            source.withUnsafeBufferPointer { rgb in
                var sourcePlanes: [UnsafePointer<UInt8>?] = [rgb.baseAddress, nil, nil, nil]
                var sourceStrides: [Int32] = [Int32(width * 3), 0, 0, 0]
                _ = sws_scale(scaler, &sourcePlanes, &sourceStrides, 0, Int32(height), data, lineSizes)
            }
            frame.pointee.pts = Int64(index) * ptsStep
            try send(frame, context, packet, name, handle)
        }
        try send(nil, context, packet, name, handle)
    }

    private static func send(
        _ frame: UnsafeMutablePointer<AVFrame>?, _ context: UnsafeMutablePointer<AVCodecContext>,
        _ packet: UnsafeMutablePointer<AVPacket>, _ name: String,
        _ handle: (UnsafeMutablePointer<AVPacket>, UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Void
    ) throws(MediaError) {
        let sent = avcodec_send_frame(context, frame)
        guard sent >= 0 else {
            throw MediaError(.encodeFailed, "\(name) rejected a frame: \(FFmpegSupport.message(sent))")
        }
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == cadiff_averror_eagain() || received == cadiff_averror_eof() { return }
            guard received >= 0 else {
                throw MediaError(.encodeFailed, "\(name) failed: \(FFmpegSupport.message(received))")
            }
            defer { av_packet_unref(packet) }
            try handle(packet, context)
        }
    }

    /// Copies `frame` into a `width × height` RGB buffer, repeating its last column and row.
    private static func pad(_ frame: Frame, into buffer: inout [UInt8], width: Int, height: Int) {
        let sourceStride = frame.width * 3
        for y in 0..<height {
            let sourceRow = min(y, frame.height - 1) * sourceStride
            let row = y * width * 3
            buffer.replaceSubrange(
                row..<(row + sourceStride), with: frame.pixels[sourceRow..<(sourceRow + sourceStride)])
            for x in frame.width..<width {
                for c in 0..<3 { buffer[row + x * 3 + c] = frame.pixels[sourceRow + sourceStride - 3 + c] }
            }
        }
    }
}
