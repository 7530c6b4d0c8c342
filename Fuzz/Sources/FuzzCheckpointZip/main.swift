import ADiffWeights

/// libFuzzer entry: a whole `.ckpt` image (zip directory, member checks, pickle, tensor
/// materialisation) must load or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointZip(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let file = try? WeightFiles.open(MemoryByteSource(bytes)) else { return 0 }
    for name in file.tensorNames {
        if let tensor = try? file.load(name), tensor.bytes.count != file.info(name)?.byteCount {
            fatalError("loaded tensor size differs from its info")
        }
    }
    return 0
}
