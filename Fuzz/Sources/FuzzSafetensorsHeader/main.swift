import ADiffWeights

/// libFuzzer entry: a whole safetensors file image must parse or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensorsHeader(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let header = try? SafetensorsHeader.parse(fileImage: bytes) {
        // A header that validates must describe exactly the bytes after it.
        let covered = header.entries.last?.dataOffsets.upperBound ?? 0
        if header.dataStart + covered != UInt64(count) { fatalError("validated header does not tile the file") }
    }
    return 0
}
