import Testing
@testable import ADiffProtocol

@Suite struct GenerateParamsTests {
    private func object(_ text: String) throws -> JSONValue {
        try JSONValue(parsing: text)
    }

    private func failure(_ text: String) throws -> RPCError? {
        do {
            _ = try GenerateParams.decode(try object(text))
            return nil
        } catch let error as RPCError {
            return error
        }
    }

    @Test func webUINamesAndTheAnimateDiffObjectDecode() throws {
        let (params, warnings) = try GenerateParams.decode(
            try object(
                #"{"prompt":"fox","negative_prompt":"blur","steps":12,"sampler_name":"Euler a","cfg_scale":6.5,"seed":42,"width":256,"height":320,"n_iter":2,"override_settings":{"sd_model_checkpoint":"m.safetensors"},"animatediff":{"model":"mm.safetensors","format":["GIF","PNG"],"video_length":16,"fps":12,"closed_loop":"A","batch_size":8,"overlap":-1,"request_id":"r1"},"detach":true}"#
            ))
        #expect(warnings.isEmpty)
        #expect(params.prompt == "fox" && params.negativePrompt == "blur" && params.steps == 12)
        #expect(params.cfgScale == 6.5 && params.seed == 42 && params.width == 256 && params.height == 320)
        #expect(params.overrideSettings?["sd_model_checkpoint"] == .string("m.safetensors"))
        #expect(params.animatediff?.format == ["GIF", "PNG"] && params.animatediff?.videoLength == 16)
        #expect(params.animatediff?.closedLoop == "A" && params.animatediff?.requestId == "r1")
        #expect(params.detach == true)
    }

    @Test func alwaysOnScriptsArgsZeroIsTheSameAsTheAnimateDiffObject() throws {
        let (direct, _) = try GenerateParams.decode(try object(#"{"prompt":"a","animatediff":{"video_length":8,"fps":4}}"#))
        let (webui, _) = try GenerateParams.decode(
            try object(#"{"prompt":"a","alwayson_scripts":{"AnimateDiff":{"args":[{"video_length":8,"fps":4}]}}}"#))
        let (lower, _) = try GenerateParams.decode(
            try object(#"{"prompt":"a","alwayson_scripts":{"animatediff":{"args":[{"video_length":8,"fps":4}]}}}"#))
        #expect(direct == webui && webui == lower)
    }

    @Test func unknownKeysAreRejectedNamingTheKey() throws {
        let top = try #require(try failure(#"{"prompt":"a","stepz":3}"#))
        #expect(top.kind == .invalidParams && top.data.field == "stepz")
        let nested = try #require(try failure(#"{"animatediff":{"video_lenght":3}}"#))
        #expect(nested.kind == .invalidParams && nested.data.field == "animatediff.video_lenght")
        let setting = try #require(try failure(#"{"override_settings":{"sd_hypernetwork":"x"}}"#))
        #expect(setting.data.field == "override_settings.sd_hypernetwork")
        let script = try #require(try failure(#"{"alwayson_scripts":{"ControlNet":{"args":[]}}}"#))
        #expect(script.data.field == "alwayson_scripts.ControlNet")
        let both = try #require(try failure(#"{"animatediff":{},"alwayson_scripts":{"AnimateDiff":{"args":[{}]}}}"#))
        #expect(both.data.field == "animatediff")
    }

    @Test func knownWebUIKeysAreIgnoredWithAWarningOnlyWhereTheyMakeNoDifference() throws {
        let (params, warnings) = try GenerateParams.decode(
            try object(#"{"prompt":"a","send_images":true,"restore_faces":false,"enable_hr":false,"hr_scale":2,"styles":[],"sampler_index":"DDIM"}"#))
        #expect(params.samplerName == "DDIM")
        #expect(Set(warnings) == ["send_images ignored", "restore_faces ignored", "enable_hr ignored", "hr_scale ignored", "styles ignored"])
        #expect(try failure(#"{"restore_faces":true}"#)?.data.field == "restore_faces")
        #expect(try failure(#"{"enable_hr":true,"hr_scale":2}"#)?.data.field == "enable_hr")
        #expect(try failure(#"{"styles":["cinematic"]}"#)?.data.field == "styles")
    }

    @Test func wrongTypesNameTheField() throws {
        let error = try #require(try failure(#"{"steps":"many"}"#))
        #expect(error.kind == .invalidParams && error.data.field == "steps")
        let nested = try #require(try failure(#"{"animatediff":{"fps":"fast"}}"#))
        #expect(nested.data.field == "animatediff.fps")
    }

    @Test func keepAliveParsesNumbersAndDurations() throws {
        #expect(KeepAlive(parsing: "300")?.seconds == 300)
        #expect(KeepAlive(parsing: "90s")?.seconds == 90)
        #expect(KeepAlive(parsing: "5m")?.seconds == 300)
        #expect(KeepAlive(parsing: "1h")?.seconds == 3600)
        #expect(KeepAlive(parsing: "-1") == .forever)
        #expect(KeepAlive(parsing: "soon") == nil)
        #expect(try JSONValue.int(-5).decode(KeepAlive.self) == .forever)
        #expect(try JSONValue.string("2m").decode(KeepAlive.self).seconds == 120)
        #expect(KeepAlive(seconds: 300).description == "5m")
    }

    @Test func everyErrorKindHasAStableDistinctName() {
        let names = RPCErrorKind.all.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(RPCErrorKind(rawValue: "EngineUnavailable") == .engineUnavailable)
    }
}
