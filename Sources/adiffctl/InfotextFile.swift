import Foundation

/// Reads an A1111 infotext from a PNG (`parameters` in a tEXt or uncompressed iTXt chunk) or
/// from a text file (`.txt` output), for `generate --from-infotext`. The daemon parses the
/// text; the client only extracts it.
enum InfotextFile {
    /// Why a file yields no infotext.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read \(path)")
        }
        let bytes = [UInt8](data)
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else {
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let start = offset + 8
            guard length >= 0, start + length + 4 <= bytes.count else { break }
            let body = Array(bytes[start..<start + length])
            if let zero = body.firstIndex(of: 0), String(decoding: body[..<zero], as: UTF8.self) == "parameters" {
                switch type {
                case "tEXt":
                    return String(body[(zero + 1)...].map { Character(Unicode.Scalar($0)) })
                case "iTXt":
                    guard body.count > zero + 2, body[zero + 1] == 0 else {
                        throw Failure(description: "\(path): compressed iTXt parameters are not supported")
                    }
                    var rest = body[(zero + 3)...]
                    guard let language = rest.firstIndex(of: 0) else { break }
                    rest = rest[(language + 1)...]
                    guard let translated = rest.firstIndex(of: 0) else { break }
                    return String(decoding: rest[(translated + 1)...], as: UTF8.self)
                case "zTXt":
                    throw Failure(description: "\(path): compressed zTXt parameters are not supported; use the .txt output")
                default:
                    break
                }
            }
            if type == "IEND" { break }
            offset = start + length + 4
        }
        throw Failure(description: "\(path) has no \"parameters\" text chunk")
    }
}
