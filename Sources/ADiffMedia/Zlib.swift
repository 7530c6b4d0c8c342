import CZlib

/// The few zlib calls the PNG code needs: deflate, bounded inflate and CRC-32.
enum Zlib {
    /// Compresses `bytes` into a zlib stream.
    static func deflate(_ bytes: [UInt8], level: Int32) throws(MediaError) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), level)
            }
        }
        guard status == Z_OK else { throw MediaError(.encodeFailed, "zlib compress2 failed (\(status))") }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Decompresses a zlib stream, refusing to produce more than `limit` bytes (zip-bomb guard).
    static func inflate(_ bytes: ArraySlice<UInt8>, limit: Int) throws(MediaError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MediaError(.decodeFailed, "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let input = Array(bytes)
        var status: Int32 = Z_OK
        input.withUnsafeBufferPointer { inputBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
            stream.avail_in = uInt(inputBuffer.count)
            while status == Z_OK && output.count <= limit {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 { status = Z_BUF_ERROR }
            }
        }
        guard output.count <= limit else {
            throw MediaError(.limitExceeded, "compressed text inflates past \(limit) bytes")
        }
        guard status == Z_STREAM_END else { throw MediaError(.decodeFailed, "corrupt zlib stream (\(status))") }
        return output
    }

    /// CRC-32 (ISO-HDLC, as in PNG chunks) of `bytes`.
    static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}
