/// Settings of the FFmpeg-based outputs, with the extension's defaults.
public struct VideoEncoderOptions: Sendable, Equatable {
    /// libx264 constant rate factor, 0...51 (extension setting "MP4 CRF", default 23).
    public var mp4CRF = 23
    /// libx264 preset (`ultrafast` … `veryslow`); `nil` keeps x264's default (`medium`).
    public var mp4Preset: String?
    /// libx264 tune (`film`, `animation`, `grain`, …); `nil` for none.
    public var mp4Tune: String?
    /// VP9 target bit rate in bit/s (PyAV's default that the extension inherits).
    public var webmBitRate = 1_024_000
    /// libvpx `cpu-used` (0 slowest … 8 fastest); 4 keeps `deadline=good` quality at a usable speed.
    public var webmSpeed = 4
    /// Animated WebP quality 0...100 (extension setting, default 80).
    public var webpQuality = 80
    /// Lossless animated WebP (extension setting, default off).
    public var webpLossless = false
    /// Codec threads; 0 lets the codec choose.
    public var threads = 0

    /// The extension's defaults.
    public init() {}

    func validate() throws(MediaError) {
        guard (0...51).contains(mp4CRF) else {
            throw MediaError(.invalidArgument, "MP4 CRF \(mp4CRF) must be in 0...51")
        }
        let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
        if let preset = mp4Preset, !presets.contains(preset) {
            throw MediaError(.invalidArgument, "MP4 preset \(preset) is not one of \(presets.joined(separator: ", "))")
        }
        let tunes = ["film", "animation", "grain", "stillimage", "fastdecode", "zerolatency"]
        if let tune = mp4Tune, !tunes.contains(tune) {
            throw MediaError(.invalidArgument, "MP4 tune \(tune) is not one of \(tunes.joined(separator: ", "))")
        }
        guard (1...100).contains(webpQuality) else {
            throw MediaError(.invalidArgument, "WebP quality \(webpQuality) must be in 1...100")
        }
        guard (1_000...100_000_000).contains(webmBitRate) else {
            throw MediaError(.invalidArgument, "WEBM bit rate \(webmBitRate) must be in 1000...100000000")
        }
        guard (0...8).contains(webmSpeed) else {
            throw MediaError(.invalidArgument, "WEBM speed \(webmSpeed) must be in 0...8")
        }
        guard (0...64).contains(threads) else {
            throw MediaError(.invalidArgument, "threads \(threads) must be in 0...64")
        }
    }
}
