import ADiffPipeline

/// Collects progress reports from the pipeline's callback.
final class Reports: @unchecked Sendable {
    private var items: [PipelineProgress] = []
    func append(_ report: PipelineProgress) { items.append(report) }
    var all: [PipelineProgress] { items }
}
