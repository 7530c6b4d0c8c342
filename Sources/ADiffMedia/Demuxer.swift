import CADiffShims
import CFFmpeg

/// An `AVFormatContext` reading from an `AVIOSource`, locked down for hostile inputs, with the
/// best video stream selected.
final class Demuxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    let stream: UnsafeMutablePointer<AVStream>
    private let io: UnsafeMutablePointer<AVIOContext>
    private let source: AVIOSource
    private let deadline: Deadline
    private let limits: DecodeLimits
    private let name: String

    /// Demuxers that reference other resources by name (playlists, scripts, manifests).
    private static let refused: Set<String> = [
        "hls", "concat", "dash", "ffmetadata", "tee", "sdp", "rtsp", "rtp", "image2", "data",
    ]

    init(source: AVIOSource, limits: DecodeLimits, name: String) throws(MediaError) {
        self.source = source
        self.limits = limits
        self.name = name
        deadline = Deadline(seconds: limits.timeLimitSeconds)
        let bufferSize = 65_536
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self),
            let io = avio_alloc_context(
                buffer, Int32(bufferSize), 0, Unmanaged.passUnretained(source).toOpaque(),
                { opaque, buffer, size in
                    guard let opaque, let buffer else { return cadiff_averror_eof() }
                    return Unmanaged<AVIOSource>.fromOpaque(opaque).takeUnretainedValue().read(
                        into: buffer, count: Int(size))
                }, nil,
                { opaque, offset, whence in
                    guard let opaque else { return -1 }
                    return Unmanaged<AVIOSource>.fromOpaque(opaque).takeUnretainedValue().seek(offset, whence: whence)
                })
        else { throw MediaError(.decodeFailed, "\(name): out of memory for the I/O context") }
        self.io = io
        guard var context = avformat_alloc_context() else {
            Self.free(io)
            throw MediaError(.decodeFailed, "\(name): out of memory for the demuxer")
        }
        context.pointee.pb = io
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        context.pointee.interrupt_callback = AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().expired ? 1 : 0
            }, opaque: Unmanaged.passUnretained(deadline).toOpaque())
        // Any attempt to open a second resource (playlist segment, concat entry, dref) fails.
        context.pointee.io_open = { _, _, _, _, _ in cadiff_averror(EPERM) }
        context.pointee.probesize = 5 << 20
        context.pointee.max_analyze_duration = 5 * Int64(AV_TIME_BASE)
        var options = FFmpegSupport.dictionary([("protocol_whitelist", "file"), ("max_streams", "16")])
        defer { av_dict_free(&options) }
        var optional: UnsafeMutablePointer<AVFormatContext>? = context
        let opened = avformat_open_input(&optional, "", nil, &options)
        guard opened >= 0, let openedContext = optional else {
            // avformat_open_input frees the context (not our custom I/O) on failure.
            Self.free(io)
            if deadline.expired {
                throw MediaError(.timedOut, "\(name): probing exceeded \(limits.timeLimitSeconds) s")
            }
            throw MediaError(
                .unrecognizedFormat, "\(name): not a recognised media container (\(FFmpegSupport.message(opened)))")
        }
        context = openedContext
        self.context = context
        let format = String(cString: context.pointee.iformat.pointee.name)
        if (context.pointee.iformat.pointee.flags & AVFMT_NOFILE) != 0
            || format.split(separator: ",").contains(where: { Self.refused.contains(String($0)) })
        {
            Self.close(context, io)
            throw MediaError(
                .unrecognizedFormat, "\(name): the \(format) container refers to other files and is refused")
        }
        let info = avformat_find_stream_info(context, nil)
        guard info >= 0 else {
            Self.close(context, io)
            if deadline.expired {
                throw MediaError(.timedOut, "\(name): probing exceeded \(limits.timeLimitSeconds) s")
            }
            throw MediaError(.decodeFailed, "\(name): cannot read stream information (\(FFmpegSupport.message(info)))")
        }
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard index >= 0, let stream = context.pointee.streams[Int(index)] else {
            Self.close(context, io)
            throw MediaError(.noFrames, "\(name): the \(format) file has no video stream")
        }
        self.stream = stream
    }

    deinit { Self.close(context, io) }

    /// Reads packets until the end, `body` returning false, or a limit; `body` runs per packet.
    func readPackets(_ body: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Bool) throws(MediaError) {
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet else { throw MediaError(.decodeFailed, "\(name): out of memory for a packet") }
        var count = 0
        while true {
            guard !deadline.expired else {
                throw MediaError(.timedOut, "\(name): decoding exceeded \(limits.timeLimitSeconds) s")
            }
            count += 1
            guard count <= limits.maximumPackets else {
                throw MediaError(.limitExceeded, "\(name): more than \(limits.maximumPackets) packets")
            }
            let status = av_read_frame(context, packet)
            if status == cadiff_averror_eof() { return }
            guard status >= 0 else {
                if deadline.expired {
                    throw MediaError(.timedOut, "\(name): decoding exceeded \(limits.timeLimitSeconds) s")
                }
                throw MediaError(.decodeFailed, "\(name): demuxing failed (\(FFmpegSupport.message(status)))")
            }
            defer { av_packet_unref(packet) }
            guard try body(packet) else { return }
        }
    }

    private static func close(_ context: UnsafeMutablePointer<AVFormatContext>, _ io: UnsafeMutablePointer<AVIOContext>)
    {
        var optional: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&optional)
        free(io)
    }

    private static func free(_ io: UnsafeMutablePointer<AVIOContext>) {
        var buffer: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(io.pointee.buffer)
        av_freep(&buffer)
        var optional: UnsafeMutablePointer<AVIOContext>? = io
        avio_context_free(&optional)
    }
}
