import ADiffProtocol
import Foundation

/// A recorded job waiting for (or in) its turn, with its models already resolved.
struct QueuedJob: Sendable {
    let id: String
    let uid: Int
    let request: GenerationRequest
    let checkpoint: ResolvedModelFile
    let motionModule: ResolvedModelFile
    let vae: ResolvedModelFile?
    let warnings: [String]
    let createdAt: Date
    let cancel = CancelFlag()
}
