extension WeightsError.Kind {
    /// A tensor or metadata name breaks the safetensors naming rules (empty, reserved,
    /// control characters, duplicate).
    public static let invalidName = Self(rawValue: "invalidName")
}
