import CZlib

/// Decompresses gzip data with zlib (Foundation on Linux has no gzip decoder).
enum GzipInflater {
    /// Inflates one gzip member.
    /// - Parameters:
    ///   - data: the compressed bytes, gzip header included.
    ///   - source: names the data in error messages (a file or resource name).
    static func inflate(_ data: [UInt8], source: String) throws(TextError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: largest window, and expect a gzip (not a raw zlib) header.
        let initStatus = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw TextError(.vocabulary, "\(source): zlib inflateInit2 failed (status \(initStatus))")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(data.count * 3)
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var status: Int32 = Z_OK
        var input = data
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                // No progress with input left means the stream is truncated.
                if status == Z_BUF_ERROR || (status == Z_OK && produced == 0 && stream.avail_in == 0) {
                    break
                }
            }
        }
        guard status == Z_STREAM_END else {
            let reason = status == Z_DATA_ERROR ? "corrupt gzip data" : "truncated or unreadable gzip data"
            throw TextError(.vocabulary, "\(source): \(reason) (zlib status \(status))")
        }
        return output
    }
}
