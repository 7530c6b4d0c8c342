import Foundation

/// The built `adiffd` and `adiffctl`, next to the test bundle in the build products folder.
enum Binaries {
    static let directory: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static var adiffd: String { directory.appendingPathComponent("adiffd").path }
    static var adiffctl: String { directory.appendingPathComponent("adiffctl").path }

    /// Fails with a clear message when the executables were not built.
    static func check() throws {
        for path in [adiffd, adiffctl] where !FileManager.default.isExecutableFile(atPath: path) {
            throw TestFailure("\(path) is missing: build the package (swift build --build-tests) first")
        }
    }
}

/// A failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
