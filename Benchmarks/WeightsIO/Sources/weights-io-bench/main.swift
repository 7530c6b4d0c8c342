// Usage: weights-io-bench <model file> [--widen]
// Prints the wall time of each phase and the peak resident set size.
import ADiffWeights
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: weights-io-bench <model file> [--widen]\n".utf8))
    exit(2)
}
let path = arguments[1]
let widen = arguments.contains("--widen")

func measure<T>(_ label: String, bytes: Int? = nil, _ body: () throws -> T) rethrows -> T {
    let start = ContinuousClock.now
    let result = try body()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = bytes.map { String(format: "  %.0f MB/s", Double($0) / seconds / 1e6) } ?? ""
    print(String(format: "%-22@ %8.3f s", label as NSString, seconds) + rate)
    return result
}

let size = Int((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
print("file: \(path) (\(size) bytes)")
let file = try measure("open + validate") { try WeightFiles.open(path) }
print("tensors: \(file.tensorNames.count), tensor bytes: \(file.tensorByteCount)")
let sha = try measure("sha256", bytes: size) { try ModelHashes.sha256(path: path) }
print("sha256: \(sha) short: \(ModelHashes.shortHash(sha256: sha))")
let legacy = try measure("legacy hash") { try ModelHashes.legacyHash(path: path) }
print("legacy: \(legacy)")
let addnet = try measure("addnet hash", bytes: size) { try ModelHashes.addnetHash(path: path) }
print("addnet: \(addnet.prefix(12))")
var checksum: UInt64 = 0
try measure("load every tensor", bytes: file.tensorByteCount) {
    for name in file.tensorNames {
        let tensor = try file.load(name)
        checksum &+= UInt64(tensor.bytes.last ?? 0)
        if widen, tensor.dtype.isFloatingPoint { _ = try tensor.widened() }
    }
}
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print("peak RSS: \(usage.ru_maxrss / 1024) MiB (checksum \(checksum))")
