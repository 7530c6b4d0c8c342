import Testing
@testable import ADiffProtocol

@Suite struct RPCMessageTests {
    private func decode(_ text: String) throws(RPCError) -> RPCMessage {
        try RPCMessage.decode(line: Array(text.utf8))
    }

    private func kind(of text: String) -> RPCErrorKind? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func requestNotificationAndResponsesDecode() throws {
        #expect(try decode(#"{"jsonrpc":"2.0","id":7,"method":"hello","params":{"protocol":1}}"#)
            == .request(id: .int(7), method: "hello", params: .object(["protocol": .int(1)])))
        #expect(try decode(#"{"jsonrpc":"2.0","method":"job.progress","params":{"jobId":"j1"}}"#)
            == .notification(method: "job.progress", params: .object(["jobId": .string("j1")])))
        #expect(try decode(#"{"jsonrpc":"2.0","id":"a","result":{"ok":true}}"#)
            == .response(id: .string("a"), outcome: .success(.object(["ok": .bool(true)]))))
        let failure = try decode(#"{"jsonrpc":"2.0","id":3,"error":{"code":-32002,"message":"full","data":{"kind":"QueueFull"}}}"#)
        #expect(failure == .response(id: .int(3), outcome: .failure(RPCError(.queueFull, "full"))))
    }

    @Test func malformedMessagesGetTheirOwnKinds() {
        #expect(kind(of: "{not json") == .parseError)
        #expect(kind(of: "") == .parseError)
        #expect(kind(of: "[1,2]") == .invalidRequest)
        #expect(kind(of: #"{"id":1,"method":"x"}"#) == .invalidRequest)
        #expect(kind(of: #"{"jsonrpc":"1.0","id":1,"method":"x"}"#) == .invalidRequest)
        #expect(kind(of: #"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#) == .invalidRequest)
        #expect(kind(of: #"{"jsonrpc":"2.0","id":1,"method":""}"#) == .invalidRequest)
        #expect(kind(of: #"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#) == .invalidRequest)
        #expect(kind(of: #"{"jsonrpc":"2.0","id":1}"#) == .invalidRequest)
    }

    @Test func encodedLinesAreSingleLinesThatDecodeBackToTheSameMessage() throws {
        let messages: [RPCMessage] = [
            .request(id: .int(Int64.max), method: "generate", params: .object([
                "prompt": .string("a cat\nwith a hat \u{1F431}"), "seed": .int(4_294_967_295_123),
                "cfg_scale": .double(7.5), "list": .array([.null, .bool(false)]),
            ])),
            .notification(method: "job.progress", params: .object(["step": .int(3)])),
            .response(id: .string("x"), outcome: .success(.string("done"))),
            .response(id: nil, outcome: .failure(RPCError(.lineTooLong, "line over 1 MiB"))),
            .response(id: .int(1), outcome: .failure(RPCError(.invalidParams, "bad", field: "animatediff.fps"))),
        ]
        for message in messages {
            let line = try message.encodedLine()
            #expect(line.last == 0x0A)
            #expect(line.dropLast().contains(0x0A) == false)
            #expect(try RPCMessage.decode(line: line.dropLast()) == message)
        }
    }

    @Test func paramsDecodingNamesTheBadField() {
        let params = JSONValue.object(["protocol": .string("one")])
        do {
            _ = try params.decode(Hello.Params.self)
            Issue.record("expected a decoding error")
        } catch {
            #expect(error.kind == .invalidParams)
            #expect(error.data.field == "protocol")
        }
    }

    @Test func helloRejectsAnotherMajorVersion() throws {
        try Hello.check(Hello.Params(protocol: 1))
        #expect(throws: RPCError(.protocolMismatch, "client speaks protocol 2, this daemon speaks 1")) {
            try Hello.check(Hello.Params(protocol: 2))
        }
    }

    @Test func everyKindHasAUniqueNameAndAServerOrStandardCode() {
        let names = RPCErrorKind.all.map(\.rawValue)
        #expect(Set(names).count == names.count)
        for kind in RPCErrorKind.all {
            #expect((-32099...(-32000)).contains(kind.code) || (-32700...(-32600)).contains(kind.code) || kind.code == -32800)
            #expect(RPCErrorKind(rawValue: kind.rawValue) == kind)
        }
    }
}
