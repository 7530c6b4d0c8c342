import ADiffTensor
import Foundation
import Testing
@testable import ADiffWeights

@Suite struct SafetensorsFileTests {
    @Test func pythonWrittenFileReadsBackExactly() throws {
        let file = try SafetensorsFile(path: WeightFixtures.path("mixed.safetensors"))
        let expected = try WeightFixtures.expectedTensors("mixed.json")
        #expect(Set(file.tensorNames) == Set(expected.keys))
        #expect(file.metadata == ["ss_output_name": "mixed", "format": "pt"])
        for (name, reference) in expected {
            let tensor = try file.load(name)
            #expect(tensor.dtype.rawValue == reference.dtype, "\(name)")
            #expect(tensor.shape == reference.shape, "\(name)")
            #expect(tensor.bytes == reference.bytes, "\(name)")
            #expect(file.info(name) == TensorInfo(dtype: tensor.dtype, shape: reference.shape))
            if let floats = reference.float32 {
                let widened = try tensor.widened().scalars
                #expect(widened.map(\.bitPattern) == floats.map(\.bitPattern), "\(name)")
            }
        }
        #expect(file.tensorByteCount == expected.values.reduce(0) { $0 + $1.bytes.count })
    }

    @Test func tensorNamesFollowDataOrder() throws {
        let file = try SafetensorsFile(path: WeightFixtures.path("mixed.safetensors"))
        let starts = file.tensorNames.map { name in file.header.entries.first { $0.name == name }!.dataOffsets.lowerBound }
        #expect(starts == starts.sorted())
    }

    @Test func spacePaddedHeaderIsValid() throws {
        let file = try SafetensorsFile(path: WeightFixtures.path("padded.safetensors"))
        #expect(try file.load("a").bytes == [0, 0, 0x80, 0x3F])
    }

    @Test func missingTensorIsReported() throws {
        let file = try SafetensorsFile(path: WeightFixtures.path("mixed.safetensors"))
        #expect(file.info("nope") == nil)
        #expect { try file.load("nope") } throws: { ($0 as? WeightsError)?.kind == .tensorNotFound }
    }

    @Test(arguments: WeightFixtures.invalid("safetensors_invalid"))
    func invalidFileIsRejectedWithItsRule(file: String, kind: String) throws {
        let path = WeightFixtures.path(file)
        let error = #expect(throws: WeightsError.self) { try WeightFiles.open(path) }
        #expect(error?.kind.rawValue == kind, "\(file): \(String(describing: error))")
        #expect(error?.message.contains(path) == true)
    }

    @Test func everyRuleHasAFixture() {
        let kinds = Set(WeightFixtures.invalid("safetensors_invalid").map(\.1))
        let rules: [WeightsError.Kind] = [
            .fileTooShort, .headerTooLarge, .headerPastEndOfFile, .headerNotUTF8, .headerNotObject, .headerMalformedJSON,
            .duplicateKey, .metadataNotStrings, .invalidTensorEntry, .unknownDType, .shapeOverflow, .invalidOffsets,
            .offsetsNotContiguous, .dataLengthMismatch, .byteLengthMismatch,
        ]
        #expect(kinds == Set(rules.map(\.rawValue)))
    }

    @Test func everyTruncationIsRejected() throws {
        let bytes = try WeightFixtures.bytes("mixed.safetensors")
        for length in 0..<bytes.count {
            #expect(throws: WeightsError.self) { try SafetensorsFile(source: MemoryByteSource(Array(bytes[..<length]))) }
        }
    }

    @Test func fileTruncatedAfterOpenGivesAReadErrorNotACrash() throws {
        let bytes = try WeightFixtures.bytes("mixed.safetensors")
        let path = try WeightFixtures.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafetensorsFile(path: path)
        let last = file.tensorNames.last { file.info($0)!.byteCount > 0 }!
        truncate(path, off_t(bytes.count - 1))
        #expect { try file.load(last) } throws: { ($0 as? WeightsError)?.kind == .truncatedRead }
    }

    @Test func headerParserHandlesEscapesAndRejectsDeepNesting() throws {
        func image(_ json: String, payload: [UInt8] = []) -> [UInt8] {
            let header = Array(json.utf8)
            return withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + payload
        }
        let escaped = try SafetensorsHeader.parse(
            fileImage: image(#"{"w\u00e9\ud83d\ude00\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, payload: [7])
        )
        #expect(escaped.entries.map(\.name) == ["wé😀\n"])
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let error = #expect(throws: WeightsError.self) {
            try SafetensorsHeader.parse(fileImage: image(#"{"__metadata__":"# + deep + "}"))
        }
        #expect(error?.kind == .headerMalformedJSON)
        let lone = #expect(throws: WeightsError.self) {
            try SafetensorsHeader.parse(fileImage: image(#"{"\ud800":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#))
        }
        #expect(lone?.kind == .headerMalformedJSON)
        let empty = try SafetensorsHeader.parse(fileImage: image("{}"))
        #expect(empty.entries.isEmpty && empty.metadata.isEmpty)
    }
}
