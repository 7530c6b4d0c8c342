import CADiffShims
import CFFmpeg

/// Small helpers shared by the FFmpeg encoder and decoder: error text, option dictionaries and
/// the frame-plane tuples that Swift imports as 8-element tuples.
enum FFmpegSupport {
    /// FFmpeg's message for an error code.
    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = cadiff_av_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Builds an `AVDictionary` from key/value pairs; the caller frees it with `av_dict_free`.
    static func dictionary(_ pairs: [(String, String)]) -> OpaquePointer? {
        var dictionary: OpaquePointer?
        for (key, value) in pairs { av_dict_set(&dictionary, key, value, 0) }
        return dictionary
    }

    /// Keys of a dictionary that an `*_open`/`*_write_header` call did not consume.
    static func leftoverKeys(_ dictionary: OpaquePointer?) -> [String] {
        var keys = [String]()
        var entry: UnsafeMutablePointer<AVDictionaryEntry>?
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            keys.append(String(cString: next.pointee.key))
            entry = next
        }
        return keys
    }

    /// The plane pointers and line sizes of `frame`, in the shape `sws_scale` takes.
    static func planes(
        _ frame: UnsafeMutablePointer<AVFrame>
    ) -> (data: [UnsafeMutablePointer<UInt8>?], lineSizes: [Int32]) {
        let data = withUnsafeBytes(of: frame.pointee.data) { raw in
            Array(raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self))
        }
        let lineSizes = withUnsafeBytes(of: frame.pointee.linesize) { raw in
            Array(raw.bindMemory(to: Int32.self))
        }
        return (data, lineSizes)
    }

    /// The decoder `max_pixels` style bound: width × height checked for overflow against `cap`.
    static func area(_ width: Int32, _ height: Int32, within cap: Int) -> Bool {
        guard width > 0, height > 0 else { return false }
        let (area, overflow) = Int(width).multipliedReportingOverflow(by: Int(height))
        return !overflow && area <= cap
    }
}
