/// The member directory of a zip archive as PyTorch writes it, fully cross-checked.
///
/// Only what `torch.save` produces is accepted: STORED members, no encryption, optional ZIP64
/// records (files over 4 GB). The central directory is checked against every local header
/// (name, method, sizes), member ranges must lie before the central directory without
/// overlapping, names must be unique and safe, and CRC-32 is verified when a whole member is
/// read (reliability checklist Z1–Z3).
public struct ZipArchive: Sendable {
    /// One stored member.
    public struct Member: Sendable, Equatable {
        /// Name as recorded in the central directory.
        public let name: String
        /// Recorded CRC-32 of the data.
        public let crc32: UInt32
        /// Data length (stored, so compressed and uncompressed lengths are equal).
        public let size: UInt64
        /// File offset of the local header.
        public let localHeaderOffset: UInt64
        /// File offset of the first data byte.
        public let dataOffset: UInt64
    }

    /// Signature that starts every zip file written by torch (a local file header).
    public static let localHeaderMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// Archives with more members than this are rejected as absurd (a checkpoint has a few thousand).
    public static let maximumMemberCount = 1_000_000
    /// Central directories larger than this are rejected before they are read.
    public static let maximumDirectoryByteCount: UInt64 = 256 << 20

    /// Members in central-directory order.
    public let members: [Member]
    private let source: any ByteSource
    private let index: [String: Int]

    /// The archive file's name for error messages.
    public var path: String { source.path }

    /// Reads and validates the directory of `source`.
    ///
    /// - Throws: ``WeightsError`` `.zipCorrupt`, `.unsupportedCompression`, `.zipUnsupportedFlags`,
    ///   `.zipHeaderMismatch`, `.zipDuplicateMember`, `.zipUnsafeMemberName`.
    public init(source: any ByteSource) throws {
        self.source = source
        let path = source.path
        func corrupt(_ what: String) -> WeightsError { WeightsError(.zipCorrupt, "\(path): corrupt zip: \(what)") }

        let size = source.byteCount
        guard size >= 22 else { throw corrupt("\(size) bytes is too short for an end-of-central-directory record") }
        let tailCount = Int(min(size, 22 + 0xFFFF))
        let tailStart = size - UInt64(tailCount)
        let tail = try source.read(at: tailStart, count: tailCount)
        var eocdIndex: Int?
        var i = tailCount - 22
        while i >= 0 {
            if tail.u32(i) == 0x0605_4B50 && Int(tail.u16(i + 20)) == tailCount - i - 22 {
                eocdIndex = i
                break
            }
            i -= 1
        }
        guard let e = eocdIndex else { throw corrupt("no end-of-central-directory record") }
        let eocdOffset = tailStart + UInt64(e)
        guard tail.u16(e + 4) == 0, tail.u16(e + 6) == 0 || tail.u16(e + 6) == 0xFFFF else {
            throw corrupt("multi-disk archives are not supported")
        }
        var entryCount = UInt64(tail.u16(e + 10))
        var directorySize = UInt64(tail.u32(e + 12))
        var directoryOffset = UInt64(tail.u32(e + 16))
        guard tail.u16(e + 8) == tail.u16(e + 10) else { throw corrupt("entry counts of disk and archive differ") }
        var directoryLimit = eocdOffset

        if eocdOffset >= 20 {
            let locator = try source.read(at: eocdOffset - 20, count: 20)
            if locator.u32(0) == 0x0706_4B50 {
                let recordOffset = locator.u64(8)
                guard locator.u32(4) == 0, locator.u32(16) <= 1 else { throw corrupt("multi-disk ZIP64 archive") }
                guard recordOffset <= eocdOffset - 20, eocdOffset - 20 - recordOffset >= 56 else {
                    throw corrupt("ZIP64 end record offset \(recordOffset) is out of range")
                }
                let record = try source.read(at: recordOffset, count: 56)
                guard record.u32(0) == 0x0606_4B50 else { throw corrupt("ZIP64 end record signature missing") }
                guard record.u32(16) == 0, record.u32(20) == 0, record.u64(24) == record.u64(32) else {
                    throw corrupt("multi-disk ZIP64 archive")
                }
                let count64 = record.u64(32), size64 = record.u64(40), offset64 = record.u64(48)
                guard entryCount == 0xFFFF || entryCount == count64,
                    directorySize == 0xFFFF_FFFF || directorySize == size64,
                    directoryOffset == 0xFFFF_FFFF || directoryOffset == offset64
                else { throw corrupt("ZIP64 end record disagrees with the end-of-central-directory record") }
                entryCount = count64
                directorySize = size64
                directoryOffset = offset64
                directoryLimit = recordOffset
            }
        }
        guard entryCount <= UInt64(Self.maximumMemberCount), entryCount <= directorySize / 46 + 1 else {
            throw corrupt("\(entryCount) entries cannot fit a \(directorySize)-byte central directory")
        }
        guard directorySize <= Self.maximumDirectoryByteCount, directoryOffset <= directoryLimit,
            directorySize <= directoryLimit - directoryOffset
        else { throw corrupt("central directory (offset \(directoryOffset), \(directorySize) bytes) is out of range") }

        let directory = try source.read(at: directoryOffset, count: Int(directorySize))
        var members: [Member] = []
        var index: [String: Int] = [:]
        var p = 0
        for _ in 0..<entryCount {
            guard p + 46 <= directory.count, directory.u32(p) == 0x0201_4B50 else {
                throw corrupt("central directory entry \(members.count) is malformed")
            }
            let flags = directory.u16(p + 8)
            let method = directory.u16(p + 10)
            let crc = directory.u32(p + 16)
            var compressedSize = UInt64(directory.u32(p + 20))
            var size = UInt64(directory.u32(p + 24))
            let nameLength = Int(directory.u16(p + 28))
            let extraLength = Int(directory.u16(p + 30))
            let commentLength = Int(directory.u16(p + 32))
            var diskStart = UInt64(directory.u16(p + 34))
            var localOffset = UInt64(directory.u32(p + 42))
            let end = p + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw corrupt("central directory entry \(members.count) runs past the directory") }
            let nameBytes = Array(directory[(p + 46)..<(p + 46 + nameLength)])
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw WeightsError(.zipUnsafeMemberName, "\(path): member name is not UTF-8")
            }
            // ZIP64 extended information: 64-bit values for the fields saturated at 0xFFFF(FFFF).
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = directory.u16(q), length = Int(directory.u16(q + 2))
                guard q + 4 + length <= extraEnd else { throw corrupt("extra field of \"\(name)\" runs past its entry") }
                if id == 0x0001 {
                    var r = q + 4
                    func next64() throws -> UInt64 {
                        guard r + 8 <= q + 4 + length else { throw corrupt("ZIP64 extra field of \"\(name)\" is too short") }
                        defer { r += 8 }
                        return directory.u64(r)
                    }
                    if size == 0xFFFF_FFFF { size = try next64() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next64() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next64() }
                    if diskStart == 0xFFFF {
                        guard r + 4 <= q + 4 + length else { throw corrupt("ZIP64 extra field of \"\(name)\" is too short") }
                        diskStart = UInt64(directory.u32(r))
                    }
                }
                q += 4 + length
            }
            guard diskStart == 0 else { throw corrupt("member \"\(name)\" is on another disk") }
            guard flags & 0x0001 == 0, flags & ~0x0808 == 0 else {
                throw WeightsError(
                    .zipUnsupportedFlags,
                    "\(path): member \"\(name)\" has flags 0x\(String(flags, radix: 16))" + (flags & 1 != 0 ? " (encrypted)" : "")
                )
            }
            guard method == 0 else {
                throw WeightsError(
                    .unsupportedCompression,
                    "\(path): member \"\(name)\" uses compression method \(method); torch checkpoints store members uncompressed"
                )
            }
            guard compressedSize == size else { throw corrupt("stored member \"\(name)\" has different compressed and uncompressed sizes") }
            guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0"),
                !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            else { throw WeightsError(.zipUnsafeMemberName, "\(path): unsafe member name \"\(name)\"") }
            guard index[name] == nil else {
                throw WeightsError(.zipDuplicateMember, "\(path): member \"\(name)\" appears twice")
            }
            guard localOffset <= directoryOffset, directoryOffset - localOffset >= 30 else {
                throw corrupt("local header of \"\(name)\" at \(localOffset) is outside the member area")
            }
            let local = try source.read(at: localOffset, count: 30)
            guard local.u32(0) == 0x0403_4B50 else { throw corrupt("no local header for \"\(name)\" at \(localOffset)") }
            let localNameLength = UInt64(local.u16(26)), localExtraLength = UInt64(local.u16(28))
            let dataOffset = localOffset + 30 + localNameLength + localExtraLength
            guard dataOffset <= directoryOffset, size <= directoryOffset - dataOffset else {
                throw corrupt("data of \"\(name)\" runs into the central directory")
            }
            let localName = try source.read(at: localOffset + 30, count: Int(localNameLength))
            guard localName == nameBytes else {
                throw WeightsError(
                    .zipHeaderMismatch,
                    "\(path): local header name \"\(String(decoding: localName, as: UTF8.self))\" differs from central directory name \"\(name)\""
                )
            }
            let localFlags = local.u16(6)
            guard local.u16(8) == method, localFlags == flags else {
                throw WeightsError(.zipHeaderMismatch, "\(path): local header of \"\(name)\" disagrees on method or flags")
            }
            if localFlags & 0x0008 == 0 {
                let localSize = UInt64(local.u32(22))
                guard local.u32(14) == crc, localSize == size || localSize == 0xFFFF_FFFF else {
                    throw WeightsError(.zipHeaderMismatch, "\(path): local header of \"\(name)\" disagrees on CRC or size")
                }
            }
            index[name] = members.count
            members.append(Member(name: name, crc32: crc, size: size, localHeaderOffset: localOffset, dataOffset: dataOffset))
            p = end
        }
        let byOffset = members.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.dataOffset + a.size > b.localHeaderOffset {
            throw WeightsError(.zipDuplicateMember, "\(path): members \"\(a.name)\" and \"\(b.name)\" overlap")
        }
        self.members = members
        self.index = index
    }

    /// The member called `name`.
    public func member(named name: String) -> Member? {
        index[name].map { members[$0] }
    }

    /// The whole data of `member`, with its CRC-32 verified.
    ///
    /// - Throws: ``WeightsError`` `.zipCRCMismatch` or a read error.
    public func read(_ member: Member) throws -> [UInt8] {
        guard member.size <= UInt64(Int.max) else {
            throw WeightsError(.zipCorrupt, "\(path): member \"\(member.name)\" is too large")
        }
        let bytes = try source.read(at: member.dataOffset, count: Int(member.size))
        let crc = CRC32.checksum(bytes)
        guard crc == member.crc32 else {
            throw WeightsError(
                .zipCRCMismatch,
                "\(path): member \"\(member.name)\" has CRC-32 \(String(crc, radix: 16)), expected \(String(member.crc32, radix: 16))"
            )
        }
        return bytes
    }
}

extension [UInt8] {
    /// Little-endian integers at byte offsets the caller has bounds-checked.
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
