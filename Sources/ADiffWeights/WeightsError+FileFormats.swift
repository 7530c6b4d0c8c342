/// Failure kinds of the model-file readers. Each validation rule of the reliability checklist
/// (M1–M9, K1–K7, Z1–Z3) has its own kind so tests and clients can tell them apart.
extension WeightsError.Kind {
    // MARK: safetensors (checklist M1–M9)

    /// The file is shorter than the 8-byte header length prefix (M1).
    public static let fileTooShort = Self(rawValue: "fileTooShort")
    /// The header length exceeds the 100,000,000-byte cap (M2).
    public static let headerTooLarge = Self(rawValue: "headerTooLarge")
    /// The header length runs past the end of the file (M2).
    public static let headerPastEndOfFile = Self(rawValue: "headerPastEndOfFile")
    /// The header is not valid UTF-8 (M3).
    public static let headerNotUTF8 = Self(rawValue: "headerNotUTF8")
    /// The header does not start with `{` or its top-level value is not an object (M3).
    public static let headerNotObject = Self(rawValue: "headerNotObject")
    /// The header is not well-formed JSON (M3).
    public static let headerMalformedJSON = Self(rawValue: "headerMalformedJSON")
    /// A tensor name, or a key inside one entry, appears twice (M4).
    public static let duplicateKey = Self(rawValue: "duplicateKey")
    /// `__metadata__` is not an object of string values (M5).
    public static let metadataNotStrings = Self(rawValue: "metadataNotStrings")
    /// A tensor entry lacks `dtype`/`shape`/`data_offsets`, has other keys, or a field has the wrong type.
    public static let invalidTensorEntry = Self(rawValue: "invalidTensorEntry")
    /// A dtype string that this reader does not know (M6).
    public static let unknownDType = Self(rawValue: "unknownDType")
    /// The product of a shape, or its byte count, overflows 64 bits (M7).
    public static let shapeOverflow = Self(rawValue: "shapeOverflow")
    /// `data_offsets` is not two non-negative integers with begin ≤ end (M8).
    public static let invalidOffsets = Self(rawValue: "invalidOffsets")
    /// The tensors do not tile the data section: a gap, an overlap or a first offset ≠ 0 (M8).
    public static let offsetsNotContiguous = Self(rawValue: "offsetsNotContiguous")
    /// The data section is longer (trailing bytes) or shorter than the last tensor's end (M8).
    public static let dataLengthMismatch = Self(rawValue: "dataLengthMismatch")
    /// A tensor's byte span differs from element count × dtype size (M9).
    public static let byteLengthMismatch = Self(rawValue: "byteLengthMismatch")
    /// The file got shorter while it was read (truncated under us).
    public static let truncatedRead = Self(rawValue: "truncatedRead")

    // MARK: PyTorch pickle (checklist K1–K7)

    /// A global, call or opcode outside the allowlist; nothing was executed (K1, K2).
    public static let unsafePickle = Self(rawValue: "unsafePickle")
    /// Structurally broken pickle: stack/mark underflow, missing memo slot, lengths past the end (K5).
    public static let corruptPickle = Self(rawValue: "corruptPickle")
    /// The pickle exceeds an operation, stack, memo, object or tensor count limit (K6).
    public static let pickleLimitExceeded = Self(rawValue: "pickleLimitExceeded")
    /// A persistent id that is not `("storage", type, key, location, numel)` with a known storage type (K3).
    public static let invalidStorageReference = Self(rawValue: "invalidStorageReference")
    /// A storage key that names no `data/<key>` member of the archive (K3).
    public static let storageMissing = Self(rawValue: "storageMissing")
    /// A storage member whose size is not numel × element size, or one storage used with two dtypes (K3).
    public static let storageSizeMismatch = Self(rawValue: "storageSizeMismatch")
    /// `_rebuild_tensor_v2` arguments that are malformed or reach outside the storage (K4).
    public static let invalidTensorArguments = Self(rawValue: "invalidTensorArguments")
    /// A pre-1.6 (non-zip) torch file or a TorchScript archive (K7).
    public static let unsupportedCheckpointFormat = Self(rawValue: "unsupportedCheckpointFormat")
    /// The unpickled object is not a state dict (or a `{"state_dict": ...}` wrapper).
    public static let notAStateDict = Self(rawValue: "notAStateDict")

    // MARK: Zip container (checklist Z1–Z3)

    /// End-of-central-directory or ZIP64 records missing or inconsistent; offsets or sizes past the file (Z3).
    public static let zipCorrupt = Self(rawValue: "zipCorrupt")
    /// A member compressed with a method other than STORED (Z1).
    public static let unsupportedCompression = Self(rawValue: "unsupportedCompression")
    /// Encryption or other unexpected general-purpose flag bits (Z1).
    public static let zipUnsupportedFlags = Self(rawValue: "zipUnsupportedFlags")
    /// A local header whose name or sizes differ from the central directory (Z1).
    public static let zipHeaderMismatch = Self(rawValue: "zipHeaderMismatch")
    /// A member whose CRC-32 differs from the recorded one (Z1).
    public static let zipCRCMismatch = Self(rawValue: "zipCRCMismatch")
    /// Two members with one name, or members whose byte ranges overlap (Z2, Z3).
    public static let zipDuplicateMember = Self(rawValue: "zipDuplicateMember")
    /// A member name with `..`, a leading `/` or a backslash (Z2).
    public static let zipUnsafeMemberName = Self(rawValue: "zipUnsafeMemberName")
    /// A member outside the set a torch checkpoint contains, or a missing `data.pkl` (Z2).
    public static let zipUnexpectedMember = Self(rawValue: "zipUnexpectedMember")
}
