/// Hand-made model files for error cases.
enum TestFiles {
    /// A safetensors header length far beyond the file.
    static let corruptSafetensors: [UInt8] = withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init) + Array("{}".utf8)
}
