/// A ZIP archive whose members are STORED (uncompressed), as `torch.save` writes them; member
/// data start on 64-byte boundaries (padding in the local header's extra field, as PyTorch
/// does) so readers can map tensors in place. No ZIP64: archives stay under 4 GiB.
struct StoredZipArchive {
    private(set) var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    static let alignment = 64

    /// Appends a member.
    mutating func add(_ name: String, _ data: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        guard bytes.count + data.count + 30 + nameBytes.count + Self.alignment < Int(UInt32.max),
            count < Int(UInt16.max)
        else {
            throw WeightsError(
                .invalidArgument, "zip member '\(name)': archive would exceed 4 GiB or 65535 members (no ZIP64)")
        }
        let offset = bytes.count
        let crc = CRC32.checksum(data)
        // Extra field: id "FB" (0x4246, PyTorch's), length, then padding up to the alignment.
        var extraLength = 0
        let unpadded = offset + 30 + nameBytes.count
        if unpadded % Self.alignment != 0 {
            extraLength = Self.alignment - unpadded % Self.alignment
            if extraLength < 4 { extraLength += Self.alignment }
        }
        bytes += Self.le32(0x0403_4B50) + Self.le16(20) + Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le16(0x21)
        bytes += Self.le32(crc) + Self.le32(UInt32(data.count)) + Self.le32(UInt32(data.count))
        bytes += Self.le16(UInt16(nameBytes.count)) + Self.le16(UInt16(extraLength)) + nameBytes
        if extraLength > 0 {
            bytes +=
                Self.le16(0x4246) + Self.le16(UInt16(extraLength - 4))
                + [UInt8](repeating: 0x5A, count: extraLength - 4)
        }
        bytes += data
        central +=
            Self.le32(0x0201_4B50) + Self.le16(20) + Self.le16(20) + Self.le16(0) + Self.le16(0) + Self.le16(0)
            + Self.le16(0x21)
        central += Self.le32(crc) + Self.le32(UInt32(data.count)) + Self.le32(UInt32(data.count))
        central +=
            Self.le16(UInt16(nameBytes.count)) + Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le16(0)
            + Self.le32(0)
        central += Self.le32(UInt32(offset)) + nameBytes
        count += 1
    }

    /// The archive with its central directory and end record.
    func finished() -> [UInt8] {
        bytes + central + Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0) + Self.le16(UInt16(count))
            + Self.le16(UInt16(count))
            + Self.le32(UInt32(central.count)) + Self.le32(UInt32(bytes.count)) + Self.le16(0)
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
