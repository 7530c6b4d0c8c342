import Foundation

/// The extension's `AnimateDiff` infotext field: `key: value` pairs joined by `", "`, in the
/// extension's order (animatediff-behaviour §9.6).
public enum AnimateDiffInfotext {
    /// The order the extension writes its keys in.
    public static let keyOrder = [
        "model", "video_length", "fps", "loop_number", "closed_loop", "batch_size", "stride", "overlap",
        "interp", "interp_x", "freeinit_enable", "request_id", "mm_hash",
        "latent_power", "latent_scale", "latent_power_last", "latent_scale_last", "version",
    ]

    /// Joins the pairs in the extension's order (unknown keys last, in the given order); empty
    /// values are left out as the extension leaves out an empty `request_id`.
    public static func format(_ fields: [String: String]) -> String {
        let known = keyOrder.compactMap { key in fields[key].map { (key, $0) } }
        let unknown = fields.filter { !keyOrder.contains($0.key) }.sorted { $0.key < $1.key }
        return (known + unknown.map { ($0.key, $0.value) })
            .filter { !$0.1.isEmpty }
            .map { "\($0.0): \($0.1)" }
            .joined(separator: ", ")
    }

    /// Splits the field back into pairs (on `", "`, then on the first `": "`), as the
    /// extension's paste does; pieces without `": "` are ignored.
    public static func parse(_ value: String) -> [String: String] {
        var fields: [String: String] = [:]
        for piece in value.components(separatedBy: ", ") {
            guard let separator = piece.range(of: ": ") else { continue }
            fields[String(piece[..<separator.lowerBound])] = String(piece[separator.upperBound...])
        }
        return fields
    }
}
