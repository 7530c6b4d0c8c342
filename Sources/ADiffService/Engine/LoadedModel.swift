/// A resident model together with the file it came from.
public struct LoadedModel: Sendable {
    /// The resolved file (name, hash, open descriptor).
    public let file: ResolvedModelFile
    /// What the loader built.
    public let model: any ResidentModel

    /// Pairs a file with its model.
    public init(file: ResolvedModelFile, model: any ResidentModel) {
        self.file = file
        self.model = model
    }
}
