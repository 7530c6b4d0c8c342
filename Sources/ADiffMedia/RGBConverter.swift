import CFFmpeg

/// Converts decoded frames of any pixel format to RGB8 `Frame`s, optionally resized.
///
/// Alpha is dropped without compositing, as Pillow's `convert("RGB")` does for init images.
final class RGBConverter {
    private var context: OpaquePointer?
    private let outputSize: (width: Int, height: Int)?

    init(outputSize: (width: Int, height: Int)?) {
        self.outputSize = outputSize
    }

    deinit { sws_freeContext(context) }

    func convert(_ frame: UnsafeMutablePointer<AVFrame>, name: String) throws(MediaError) -> Frame {
        let width = outputSize?.width ?? Int(frame.pointee.width)
        let height = outputSize?.height ?? Int(frame.pointee.height)
        context = sws_getCachedContext(
            context, frame.pointee.width, frame.pointee.height, AVPixelFormat(frame.pointee.format),
            Int32(width), Int32(height), AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
            nil, nil, nil
        )
        guard let context else {
            throw MediaError(.decodeFailed, "\(name): cannot convert pixel format \(frame.pointee.format) to RGB")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let (data, lineSizes) = FFmpegSupport.planes(frame)
        let sourcePlanes = data.map { UnsafePointer($0) }
        let rows = pixels.withUnsafeMutableBufferPointer { out in
            var destination: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var destinationStrides: [Int32] = [Int32(width * 3), 0, 0, 0]
            return sws_scale(
                context, sourcePlanes, lineSizes, 0, frame.pointee.height, &destination, &destinationStrides)
        }
        guard rows > 0 else { throw MediaError(.decodeFailed, "\(name): pixel conversion failed") }
        return try Frame(width: width, height: height, pixels: pixels)
    }
}
