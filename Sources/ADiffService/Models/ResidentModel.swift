/// A model held in memory by the ``ModelCache``: whatever the loader built (weights, a
/// compiled UNet…). It must be immutable after loading, hence `Sendable`.
public protocol ResidentModel: Sendable {
    /// Bytes it holds, counted against the memory budget.
    var residentBytes: Int64 { get }
}
