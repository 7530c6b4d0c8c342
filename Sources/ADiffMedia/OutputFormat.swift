/// The extension's `format` values that produce files.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    /// Animated GIF (giflib).
    case gif = "GIF"
    /// H.264 MP4.
    case mp4 = "MP4"
    /// Animated WEBP.
    case webp = "WEBP"
    /// VP9 WEBM.
    case webm = "WEBM"
    /// One PNG per frame in a folder named like the video.
    case png = "PNG"
    /// The infotext as a `.txt` file.
    case txt = "TXT"

    /// Video formats in the order the extension returns them: GIF, MP4, WEBP, WEBM.
    public static let videoOrder: [OutputFormat] = [.gif, .mp4, .webp, .webm]

    /// File extension.
    public var fileExtension: String { rawValue.lowercased() }
}
