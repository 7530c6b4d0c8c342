import ADiffWeights

/// libFuzzer entry: arbitrary bytes through the restricted unpickler must yield a state dict
/// or a ``WeightsError``, never trap, hang or execute anything.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchPickle(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let stateDict = try? TorchStateDict.parse(pickle: bytes) {
        // Every accepted view must lie inside its storage.
        for view in stateDict.tensors.values where view.elementCount > 0 {
            var last = view.storageOffset
            for (extent, stride) in zip(view.shape, view.strides) { last += (extent - 1) * stride }
            if last >= view.storage.byteCount / view.dtype.byteSize { fatalError("view outside its storage") }
        }
    }
    return 0
}
