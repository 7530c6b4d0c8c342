import ADiffProtocol
import ADiffTensor
import Foundation
import Testing
@testable import ADiffService

@Suite struct ConfigTests {
    @Test func defaultsAreValid() throws {
        try ConfigLoader.validate(DaemonConfig())
        let config = try ConfigLoader.load(file: nil, environment: [:])
        #expect(config.queueSize == 8 && config.limits.maxRequestBytes == 1 << 20)
        #expect(config.effectiveOutputDir == "/var/lib/adiffd/outputs")
    }

    @Test func theShippedConfigurationFileLoadsAndMatchesTheDefaults() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../etc/adiffd.toml").path
        let config = try ConfigLoader.load(file: file, environment: [:])
        #expect(config == DaemonConfig())
    }

    @Test func fileThenEnvironmentThenFlagsTakePrecedence() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("a.toml", Array("queue_size = 3\nstate_dir = \"/srv/a\"\n[limits]\nmax_frames = 32\n".utf8))
        let config = try ConfigLoader.load(
            file: dir.path + "/a.toml",
            environment: ["ADIFFD_QUEUE_SIZE": "5", "ADIFFD_LIMITS_MAX_STEPS": "40", "STATE_DIRECTORY": "/var/lib/x"],
            overrides: [("queue_size", "7")])
        #expect(config.queueSize == 7)
        #expect(config.stateDir == "/srv/a")
        #expect(config.limits.maxFrames == 32 && config.limits.maxSteps == 40)
        // Keys the file leaves out keep systemd's directory defaults.
        #expect(config.modelRoots == ["/var/lib/x/models"])
    }

    @Test func unknownKeysAreErrorsNamingTheKey() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("top.toml", Array("queue_sise = 3\n".utf8))
        try dir.write("nested.toml", Array("[limits]\nmax_frame = 3\n".utf8))
        try dir.write("type.toml", Array("queue_size = \"lots\"\n".utf8))
        for (file, key) in [("top.toml", "queue_sise"), ("nested.toml", "limits.max_frame"), ("type.toml", "queue_size")] {
            #expect(throws: ConfigError.self) { try ConfigLoader.load(file: dir.path + "/" + file, environment: [:]) }
            do {
                _ = try ConfigLoader.load(file: dir.path + "/" + file, environment: [:])
            } catch {
                #expect(error.key == key)
            }
        }
        do {
            _ = try ConfigLoader.load(file: nil, environment: ["ADIFFD_QUEUE": "1"])
            Issue.record("an unknown environment key was accepted")
        } catch {
            #expect(error.key == "ADIFFD_QUEUE")
        }
    }

    @Test func badValuesAreRejected() {
        for (key, value) in [
            ("limits.max_request_bytes", "2000000"), ("socket_mode", "999"), ("precision", "fp64"),
            ("memory_budget", "lots"), ("keep_alive", "soon"), ("default_formats", "GIF,AVI"), ("preload", "sd15"),
            ("on_sigterm", "shrug"), ("limits.max_frames", "0"),
        ] {
            #expect(throws: ConfigError.self, "\(key)=\(value)") {
                try ConfigLoader.load(file: nil, environment: [:], overrides: [(key, value)])
            }
        }
    }

    /// bf16 is accepted exactly where the CPU runs it natively, and reaches the engine's type.
    @Test func precisionAcceptsBFloat16WhereTheCPUHasIt() throws {
        let overrides = [(key: "precision", value: "bf16")]
        if ComputePrecision.bfloat16.isSupported {
            let config = try ConfigLoader.load(file: nil, environment: [:], overrides: overrides)
            #expect(config.computePrecision == .bfloat16)
        } else {
            #expect(throws: ConfigError.self) { try ConfigLoader.load(file: nil, environment: [:], overrides: overrides) }
        }
        #expect(try ConfigLoader.load(file: nil, environment: ["ADIFFD_PRECISION": "fp32"]).computePrecision == .float32)
    }

    @Test func memorySizesParse() {
        #expect(MemorySize.parse("12G") == 12 << 30)
        #expect(MemorySize.parse("512MiB") == 512 << 20)
        #expect(MemorySize.parse("1048576") == 1 << 20)
        #expect(MemorySize.parse("auto") == 0)
        #expect(MemorySize.parse("-3G") == nil)
        #expect(MemorySize.resolve("auto") > 0)
    }
}
