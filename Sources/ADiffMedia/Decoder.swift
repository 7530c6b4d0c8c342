import CADiffShims
import CFFmpeg

/// An opened FFmpeg video decoder with `max_pixels` set from the limits.
final class Decoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let name: String

    init(codecID: AVCodecID, parameters: UnsafeMutablePointer<AVCodecParameters>?, limits: DecodeLimits, name: String)
        throws(MediaError)
    {
        self.name = name
        guard let codec = avcodec_find_decoder(codecID) else {
            throw MediaError(
                .unrecognizedFormat, "\(name): no decoder for codec \(String(cString: avcodec_get_name(codecID)))")
        }
        guard let context = avcodec_alloc_context3(codec), let frame = av_frame_alloc() else {
            throw MediaError(.decodeFailed, "\(name): out of memory for the decoder")
        }
        self.context = context
        self.frame = frame
        if let parameters {
            let copied = avcodec_parameters_to_context(context, parameters)
            guard copied >= 0 else { throw MediaError(.decodeFailed, "\(name): bad codec parameters") }
        }
        var options = FFmpegSupport.dictionary([("max_pixels", String(limits.maximumPixels)), ("threads", "1")])
        defer { av_dict_free(&options) }
        let opened = avcodec_open2(context, codec, &options)
        guard opened >= 0 else {
            throw MediaError(.decodeFailed, "\(name): cannot open the decoder (\(FFmpegSupport.message(opened)))")
        }
    }

    deinit {
        var optionalContext: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&optionalContext)
        var optionalFrame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&optionalFrame)
    }

    /// Sends `packet` (nil flushes) and hands every frame that comes out to `body`.
    func decode(
        _ packet: UnsafeMutablePointer<AVPacket>?, _ body: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Void
    ) throws(MediaError) {
        let sent = avcodec_send_packet(context, packet)
        if sent < 0 && sent != cadiff_averror_eof() {
            throw MediaError(.decodeFailed, "\(name): corrupt data (\(FFmpegSupport.message(sent)))")
        }
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == cadiff_averror_eagain() || received == cadiff_averror_eof() { return }
            guard received >= 0 else {
                throw MediaError(.decodeFailed, "\(name): corrupt data (\(FFmpegSupport.message(received)))")
            }
            defer { av_frame_unref(frame) }
            guard (frame.pointee.decode_error_flags & FF_DECODE_ERROR_INVALID_BITSTREAM) == 0 else {
                throw MediaError(.decodeFailed, "\(name): corrupt frame data")
            }
            try body(frame)
        }
    }
}
