/// What a merge did with each LoRA: how many layers it changed and which tensors matched no
/// layer (A1111 silently skips those and logs them at debug level; we report them).
public struct LoRAMergeReport: Sendable, Equatable {
    /// One network's outcome.
    public struct Network: Sendable, Equatable {
        /// The network's name.
        public let name: String
        /// Modules merged, per model.
        public let appliedModules: [LoRATarget.Component: Int]
        /// Tensor names whose layer exists in none of the models.
        public let unmatchedKeys: [String]
        /// Tensor names of module types this build does not merge (LoHa, LoKr, …).
        public let unsupportedKeys: [String]

        /// Modules merged in all models.
        public var appliedModuleCount: Int { appliedModules.values.reduce(0, +) }
    }

    /// One entry per merged network, in application order.
    public let networks: [Network]

    /// Human-readable lines for the job log, one per network with skipped tensors.
    public var warnings: [String] {
        networks.compactMap { network in
            guard !network.unmatchedKeys.isEmpty || !network.unsupportedKeys.isEmpty else { return nil }
            var parts: [String] = []
            if !network.unmatchedKeys.isEmpty {
                parts.append("\(network.unmatchedKeys.count) tensors match no layer (e.g. \(network.unmatchedKeys[0]))")
            }
            if !network.unsupportedKeys.isEmpty {
                parts.append(
                    "\(network.unsupportedKeys.count) tensors of unsupported module types (e.g. \(network.unsupportedKeys[0]))"
                )
            }
            return "LoRA \(network.name): " + parts.joined(separator: "; ")
        }
    }
}
