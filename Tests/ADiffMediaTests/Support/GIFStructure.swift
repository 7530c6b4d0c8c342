/// An independent, naive GIF block walker for the tests: frame count, delays, loop count,
/// comments and frame rectangles, read straight from the bytes without giflib.
struct GIFStructure {
    var width = 0
    var height = 0
    var delays = [Int]()
    var loopCount: Int?
    var comments = [[UInt8]]()
    var rectangles = [(x: Int, y: Int, width: Int, height: Int)]()

    init(_ b: [UInt8]) throws {
        guard b.count > 13, Array(b[0..<6]) == Array("GIF89a".utf8) else { throw Failure("not GIF89a") }
        width = Int(b[6]) | Int(b[7]) << 8
        height = Int(b[8]) | Int(b[9]) << 8
        var i = 13
        if b[10] & 0x80 != 0 { i += 3 << (Int(b[10] & 7) + 1) }
        func subBlocks() -> [UInt8] {
            var data = [UInt8]()
            while b[i] != 0 {
                let n = Int(b[i])
                data += b[(i + 1)...(i + n)]
                i += n + 1
            }
            i += 1
            return data
        }
        while i < b.count {
            switch b[i] {
            case 0x21:
                let label = b[i + 1]
                i += 2
                let data = subBlocks()
                if label == 0xF9 { delays.append(Int(data[1]) | Int(data[2]) << 8) }
                if label == 0xFE { comments.append(data) }
                if label == 0xFF, Array(data[0..<11]) == Array("NETSCAPE2.0".utf8) {
                    loopCount = Int(data[12]) | Int(data[13]) << 8
                }
            case 0x2C:
                let x = Int(b[i + 1]) | Int(b[i + 2]) << 8
                let y = Int(b[i + 3]) | Int(b[i + 4]) << 8
                let w = Int(b[i + 5]) | Int(b[i + 6]) << 8
                let h = Int(b[i + 7]) | Int(b[i + 8]) << 8
                rectangles.append((x, y, w, h))
                let packed = b[i + 9]
                i += 10
                if packed & 0x80 != 0 { i += 3 << (Int(packed & 7) + 1) }
                i += 1  // LZW minimum code size
                _ = subBlocks()
            case 0x3B:
                return
            default:
                throw Failure("unexpected GIF block 0x\(String(b[i], radix: 16)) at \(i)")
            }
        }
        throw Failure("GIF has no trailer")
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
