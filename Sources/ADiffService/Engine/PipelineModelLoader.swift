import ADiffModels
import ADiffPipeline
import ADiffProtocol
import ADiffWeights

/// Builds the networks the pipeline runs from resolved files: checkpoints split into UNet,
/// text encoder and VAE; motion modules with their version detected; LoRAs parsed; embeddings
/// read. Weights stay in their stored precision, so a model's resident size is its file's.
///
/// Every file is read through the descriptor the catalog opened and hashed, so the bytes that
/// were hashed are the bytes that are loaded.
public struct PipelineModelLoader: ResidentModelLoader {
    /// Creates the loader.
    public init() {}

    /// The file's tensor bytes (what stays resident).
    public func estimatedBytes(of file: ResolvedModelFile, kind: ModelKind) async throws -> Int64? {
        let source = file.byteSource
        return try await Blocking.run { Int64(try WeightFiles.open(source).tensorByteCount) }
    }

    /// Loads and builds `file` as a model of `kind`.
    ///
    /// - Throws: ``RPCError`` `.invalidModel` naming the file when its weights do not form the
    ///   model `kind` asks for (``ModelError``), ``WeightsError`` for a malformed file.
    public func load(_ file: ResolvedModelFile, kind: ModelKind) async throws -> any ResidentModel {
        let source = file.byteSource
        let procPath = file.handle.procPath
        let name = file.file.name
        let stem = String(file.file.stem.split(separator: "/").last ?? "")
        return try await Blocking.run { () throws -> any ResidentModel in
            let weights = try WeightFiles.open(source)
            do {
                switch kind {
                case .checkpoint:
                    return ResidentCheckpoint(checkpoint: try StableDiffusionCheckpoint(file: weights))
                case .motion:
                    return ResidentMotionModule(motion: try MotionModuleSet(parameters: try ModelParameters.load(from: weights)))
                case .lora:
                    var tensors: [String: StoredTensor] = [:]
                    for key in weights.tensorNames { tensors[key] = try weights.load(key) }
                    let network = try LoRANetwork(
                        name: stem, identity: try ModelHashes.addnetHash(path: procPath),
                        tensors: tensors, metadata: weights.metadata)
                    return ResidentLoRA(network: network, residentBytes: Int64(weights.tensorByteCount))
                case .embedding:
                    return ResidentEmbedding(vectors: try TextualInversionFile.vectors(from: weights))
                case .vae:
                    let prefixed = weights.tensorNames.contains { $0.hasPrefix(StableDiffusionCheckpoint.vaePrefix) }
                    let parameters = try ModelParameters.load(
                        from: weights, prefix: prefixed ? StableDiffusionCheckpoint.vaePrefix : "")
                    return ResidentVAE(vae: try VAEModel(parameters: parameters), residentBytes: Int64(parameters.residentBytes))
                }
            } catch let error as ModelError {
                throw RPCError(.invalidModel, "\(name): \(error.message)")
            } catch let error as PipelineError {
                throw RPCError(.invalidModel, "\(name): \(error.message)")
            }
        }
    }
}
