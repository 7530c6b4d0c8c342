/// Looks samplers up by their WebUI names, including the pre-1.9 names that carry a schedule
/// suffix ("DPM++ 2M Karras" → DPM++ 2M with Karras).
public enum SamplerCatalog {
    /// Every sampler this build implements.
    public static let all: [any Sampler] = [
        EulerAncestralSampler(), EulerSampler(), HeunSampler(), DPMPP2MSampler(), DPMPPSDESampler(), LCMSampler(),
    ]

    /// A resolved sampler choice: the algorithm and the schedule it runs on.
    public struct Choice: Sendable {
        /// The sampling algorithm.
        public let sampler: any Sampler
        /// The schedule, with Automatic already replaced by the sampler's default.
        public let schedule: SigmaSchedule
    }

    /// Resolves a sampler name and a schedule type as the WebUI does.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming the field for an unknown sampler
    ///   or schedule.
    public static func resolve(sampler name: String, schedule scheduleName: String = "Automatic") throws -> Choice {
        guard var schedule = SigmaSchedule(webUIName: scheduleName) else {
            throw PipelineError(
                .invalidParameter,
                "unknown schedule type \"\(scheduleName)\"; known: \(SigmaSchedule.allCases.map(\.rawValue).joined(separator: ", "))",
                field: "scheduler"
            )
        }
        var samplerName = name
        if let sampler = all.first(where: { $0.name == name }) {
            return Choice(sampler: sampler, schedule: schedule == .automatic ? sampler.defaultSchedule : schedule)
        }
        for suffix in SigmaSchedule.allCases where suffix != .automatic && name.hasSuffix(" " + suffix.rawValue) {
            samplerName = String(name.dropLast(suffix.rawValue.count + 1))
            if schedule == .automatic { schedule = suffix }
        }
        guard let sampler = all.first(where: { $0.name == samplerName }) else {
            throw PipelineError(
                .invalidParameter,
                "unknown sampler \"\(name)\"; available: \(all.map(\.name).joined(separator: ", "))",
                field: "sampler_name"
            )
        }
        return Choice(sampler: sampler, schedule: schedule == .automatic ? sampler.defaultSchedule : schedule)
    }
}
