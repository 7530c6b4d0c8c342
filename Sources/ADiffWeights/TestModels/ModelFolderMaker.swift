import ADiffTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a WebUI-style folder of deterministic random-weight models:
/// `Stable-diffusion/`, `AnimateDiff/`, `Lora/`, `embeddings/`.
public enum ModelFolderMaker {
    /// Groups of files to generate.
    public enum Component: String, Sendable, CaseIterable, Codable {
        /// `Stable-diffusion/<prefix>-sd15.safetensors`.
        case checkpoint
        /// `AnimateDiff/<prefix>-mm-{v1,v2,v3,lcm,hotshot}.safetensors`.
        case motion
        /// `Lora/<prefix>-lora.safetensors` (kohya), `<prefix>-v2-motion-lora`, `<prefix>-v3-adapter`.
        case lora
        /// `embeddings/<prefix>-embedding.safetensors` (kohya) and `<prefix>-embedding-a1111.pt`.
        case embedding
        /// `Stable-diffusion/<prefix>-sd15.ckpt`: the checkpoint's weights (identical values) as
        /// a PyTorch `{"state_dict": …, "global_step": 0}` file. Opt-in: it is built in memory,
        /// about twice the file size.
        case ckpt

        /// What a folder gets unless asked otherwise (everything but ``ckpt``).
        public static let defaults: Set<Component> = [.checkpoint, .motion, .lora, .embedding]
    }

    /// What to generate.
    public struct Options: Sendable, Equatable {
        /// Model dimensions.
        public var preset: TestModelPreset
        /// Storage type of floating-point tensors.
        public var dtype: DType
        /// Seed; each file derives its own stream from it and its path.
        public var seed: UInt64
        /// Positional-table length for motion modules that store one, or nil for each
        /// family's published length.
        public var frames: Int?
        /// File groups to write.
        public var components: Set<Component>

        /// Creates options.
        public init(
            preset: TestModelPreset, dtype: DType = .float16, seed: UInt64 = 0, frames: Int? = nil,
            components: Set<Component> = Component.defaults
        ) {
            self.preset = preset
            self.dtype = dtype
            self.seed = seed
            self.frames = frames
            self.components = components
        }
    }

    /// One file of the folder, before its data is generated.
    public struct PlannedFile: Sendable, Equatable {
        /// How the recipes are packaged.
        public enum Format: Sendable, Equatable {
            /// A safetensors file of the recipes with ``metadata``.
            case safetensors
            /// A PyTorch zip file `{"state_dict": {recipes}, "global_step": 0}`.
            case pytorchCheckpoint
            /// A1111's `.pt` embedding dict around the single recipe.
            case a1111Embedding
        }

        /// Path relative to the folder.
        public let relativePath: String
        /// File format.
        public let format: Format
        /// Its tensors.
        public let recipes: [TensorRecipe]
        /// Its `__metadata__` (safetensors only).
        public let metadata: [String: String]
        /// The seed its values are drawn with (derived from the folder seed and the path, so
        /// files with shared tensor names still get different weights).
        public let seed: UInt64
    }

    /// The files `options` asks for, in writing order.
    public static func plan(_ options: Options) throws -> [PlannedFile] {
        let checkpoint = options.preset.checkpoint(dtype: options.dtype)
        try checkpoint.validate()
        let prefix = options.preset.filePrefix
        var files: [PlannedFile] = []
        func add(
            _ path: String, _ recipes: [TensorRecipe], _ metadata: [String: String] = [:],
            format: PlannedFile.Format = .safetensors, seedPath: String? = nil
        ) {
            let seed = SeededRandom(seed: options.seed, stream: seedPath ?? path).key
            files.append(
                PlannedFile(relativePath: path, format: format, recipes: recipes, metadata: metadata, seed: seed))
        }
        let checkpointPath = "Stable-diffusion/\(prefix)-sd15.safetensors"
        if options.components.contains(.checkpoint) {
            add(checkpointPath, try SD15CheckpointLayout.recipes(checkpoint))
        }
        if options.components.contains(.ckpt) {
            // Drawn with the safetensors file's seed: both formats hold the same weights.
            add(
                "Stable-diffusion/\(prefix)-sd15.ckpt", try SD15CheckpointLayout.recipes(checkpoint),
                format: .pytorchCheckpoint, seedPath: checkpointPath)
        }
        if options.components.contains(.motion) {
            for version in MotionModuleVersion.allCases {
                let config = MotionModuleConfig.matching(
                    checkpoint.unet, version: version, frames: options.frames, dtype: options.dtype)
                add("AnimateDiff/\(prefix)-mm-\(version.rawValue).safetensors", try MotionModuleLayout.recipes(config))
            }
        }
        if options.components.contains(.lora) {
            let rank = options.preset.loraRank
            let kohya = KohyaLoRAConfig(
                unet: checkpoint.unet, textEncoder: checkpoint.textEncoder, rank: rank, alpha: Float(rank / 2),
                convolutionRank: rank / 2, dtype: options.dtype, outputName: "\(prefix)-lora"
            )
            add("Lora/\(prefix)-lora.safetensors", try KohyaLoRALayout.recipes(kohya), KohyaLoRALayout.metadata(kohya))
            let v2 = MotionModuleConfig.matching(
                checkpoint.unet, version: .v2, frames: options.frames, dtype: options.dtype)
            let motionLoRA = MotionLoRAConfig(motionModule: v2, rank: rank, dtype: options.dtype)
            add("Lora/\(prefix)-v2-motion-lora.safetensors", try MotionLoRALayout.recipes(motionLoRA))
            let adapter = V3AdapterConfig(unet: checkpoint.unet, rank: rank, dtype: options.dtype)
            add("Lora/\(prefix)-v3-adapter.safetensors", try V3AdapterLayout.recipes(adapter))
        }
        if options.components.contains(.embedding) {
            let embedding = TextualInversionConfig(
                vectors: 2, width: checkpoint.textEncoder.width, dtype: options.dtype)
            add("embeddings/\(prefix)-embedding.safetensors", try TextualInversionLayout.recipes(embedding))
            add(
                "embeddings/\(prefix)-embedding-a1111.pt", try TextualInversionLayout.recipes(embedding),
                format: .a1111Embedding)
        }
        return files
    }

    /// Writes the planned files under `directory` (created if missing) and returns their paths.
    ///
    /// - Parameter progress: Called with each path just before it is written.
    /// - Throws: ``WeightsError`` `.io` when a folder or file cannot be created, or a
    ///   configuration error from ``plan(_:)``.
    @discardableResult
    public static func make(in directory: String, _ options: Options, progress: (String) -> Void = { _ in }) throws
        -> [String]
    {
        var written: [String] = []
        for file in try plan(options) {
            let path = directory + "/" + file.relativePath
            try createDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
            progress(path)
            switch file.format {
            case .safetensors:
                try TestModelWriter.write(file.recipes, metadata: file.metadata, seed: file.seed, to: path)
            case .pytorchCheckpoint:
                var stateDict: [(key: String, value: TorchPickleValue)] = []
                for recipe in file.recipes {
                    let bytes = try recipe.bytes(seed: file.seed)
                    stateDict.append(
                        (recipe.name, .tensor(try StoredTensor(dtype: recipe.dtype, shape: recipe.shape, bytes: bytes)))
                    )
                }
                try TorchZipWriter.write(.dict([("state_dict", .dict(stateDict)), ("global_step", .int(0))]), to: path)
            case .a1111Embedding:
                let recipe = file.recipes[0]
                let vectors = try StoredTensor(
                    dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: file.seed))
                let name = String(
                    file.relativePath.split(separator: "/").last?.split(separator: ".").first ?? "embedding")
                try TorchZipWriter.write(TextualInversionLayout.a1111Payload(vectors: vectors, name: name), to: path)
            }
            written.append(path)
        }
        return written
    }

    private static func createDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WeightsError(.io, "\(current): cannot create directory: \(String(cString: strerror(errno)))")
            }
        }
    }
}
