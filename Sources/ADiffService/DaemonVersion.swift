/// The version adiffd reports in `hello` and `status`.
public enum DaemonVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
