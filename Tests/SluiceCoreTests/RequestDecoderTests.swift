import Testing
@testable import SluiceCore

@Suite struct RequestDecoderTests {
    let decoder: RequestDecoder = {
        var limits = Limits()
        limits.maxURLs = 5
        return RequestDecoder(limits: limits)
    }()

    func decode(_ json: String) throws -> Result<Request, RequestFailure> {
        decoder.decode(try JSONParser.parse(Array(json.utf8)))
    }

    func errors(_ json: String) throws -> [String: [String]] {
        guard case let .failure(f) = try decode(json) else { Issue.record("accepted \(json)"); return [:] }
        #expect(f.status == 422)
        return Dictionary(uniqueKeysWithValues: f.errors.map { ($0.path, $0.messages) })
    }

    @Test func acceptsTheSeedOperations() throws {
        #expect(try decode(#"{"op":"download","url_list":["https://a.example/x.pdf","HTTP://b/c"]}"#) == .success(.download(urls: ["https://a.example/x.pdf", "HTTP://b/c"])))
        let id = "0F8FAD5B-D9CB-469F-A165-70867728950E"
        #expect(try decode(#"{"op":"file.update","id":"\#(id)","name":"n"}"#) == .success(.fileUpdate(id: id.lowercased(), name: "n", comment: nil)))
        #expect(try decode(#"{"op":"file.delete","id":"\#(id)"}"#) == .success(.fileDelete(id: id.lowercased())))
    }

    @Test func namesEachProblemByFieldPath() throws {
        #expect(try errors(#"{"url_list":[]}"#)["op"]?.first?.contains("missing field") == true)
        #expect(try errors(#"{"op":"explode"}"#)["op"]?.first?.contains("unknown operation \"explode\"") == true)
        #expect(try errors(#"{"op":7}"#)["op"] == ["expected string, got integer"])
        #expect(try errors(#"{"op":"download","url_list":["http://a/b"],"extra":1}"#)["extra"] == ["unknown field"])
        #expect(try errors(#"{"op":"download","url_list":"http://a/b"}"#)["url_list"] == ["expected array of strings, got string"])
        #expect(try errors(#"{"op":"download","url_list":[]}"#)["url_list"] == ["must hold at least one URL"])
        #expect(try errors(#"{"op":"download","url_list":["http://a/1","http://a/2","http://a/3","http://a/4","http://a/5","http://a/6"]}"#)["url_list"]?.first?.contains("at most 5") == true)
        let mixed = try errors(#"{"op":"download","url_list":["file:///etc/passwd", 5, "http://", "gopher://x/y", "http://a b/"]}"#)
        #expect(mixed["url_list.0"] == ["scheme \"file\" is not allowed: only http and https"])
        #expect(mixed["url_list.1"] == ["expected string, got integer"])
        #expect(mixed["url_list.2"] == ["has no host"])
        #expect(mixed["url_list.3"]?.first?.contains("gopher") == true)
        #expect(mixed["url_list.4"] == ["must not contain spaces or control characters"])
        #expect(try errors(#"{"op":"file.update","id":"nope","name":"x"}"#)["id"] == ["not a valid UUID"])
        #expect(try errors(#"{"op":"file.update","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}"#)[""] == ["give name and/or comment"])
        #expect(try errors(#"{"op":"file.update","id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":""}"#)["name"] == ["must not be empty"])
        #expect(try errors(#"{"op":"file.update","id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"a\nb"}"#)["name"] == ["must not contain control characters"])
        #expect(try errors(#"{"op":"file.delete","id":null}"#)["id"] == ["expected string, got null"])
    }

    @Test func echoesWhatWasGiven() throws {
        guard case let .failure(f) = try decode(#"{"op":"download","url_list":[1]}"#) else { Issue.record(); return }
        let body = try JSONParser.parse(f.body)
        #expect(body["data"] == .object([("op", .string("download")), ("url_list", .array([.int(1)]))]))
        #expect(body["description"] != nil)
        #expect(body["errors"]?["url_list.0"] == .array([.string("expected string, got integer")]))
    }

    @Test func documentsAreObjectsOrNonEmptyBatches() throws {
        guard case let .failure(scalar) = decoder.decodeDocument(.string("x")) else { Issue.record(); return }
        #expect(scalar.description.contains("not a string"))
        guard case let .failure(empty) = decoder.decodeDocument(.array([])) else { Issue.record(); return }
        #expect(empty.description.contains("empty batch"))
        guard case let .success(elements) = decoder.decodeDocument(.array([.int(1), .object([("op", .string("file.delete")), ("id", .string("0f8fad5b-d9cb-469f-a165-70867728950e"))])])) else { Issue.record(); return }
        #expect(elements.count == 2)
        guard case .failure = elements[0], case .success = elements[1] else { Issue.record("one element's failure must not affect the other"); return }
    }

    @Test func aMillionUnknownFieldsAreReportedBoundedly() throws {
        let extra = (0..<1_000_000).map { "\"x\($0)\":1" }.joined(separator: ",")
        let value = try JSONParser.parse(Array(#"{"op":"file.delete","id":"00000000-0000-4000-8000-000000000000",\#(extra)}"#.utf8))
        guard case let .failure(failure) = RequestDecoder().decode(value) else { Issue.record("accepted"); return }
        #expect(failure.status == 422)
        #expect(failure.errors.count == 101, "100 paths, then a count of the rest")
        #expect(failure.errors.first?.path == "x0" && failure.errors.first?.messages == ["unknown field"])
        #expect(failure.errors.last?.path == "" && failure.errors.last?.messages == ["and 999900 more field errors not listed"])
    }

    @Test func aBatchMayNotQueueMoreThanTheFileLimitOfDownloads() throws {
        var limits = Limits()
        limits.maxURLsPerFile = 5
        let element = #"{"op":"download","url_list":["http://h/1","http://h/2","http://h/3"]}"#
        let two = try JSONParser.parse(Array("[\(element),\(element)]".utf8))
        guard case let .failure(failure) = RequestDecoder(limits: limits).decodeDocument(two) else { Issue.record("accepted"); return }
        #expect(failure.status == 413)
        #expect(failure.description.contains("asks for 6 downloads in all; at most 5"))
        let one = try JSONParser.parse(Array("[\(element),{\"op\":\"nope\"}]".utf8))
        guard case .success = RequestDecoder(limits: limits).decodeDocument(one) else { Issue.record("refused"); return }
    }
}
