import SluiceCore
import Testing

/// The parameters of image jobs: one decoder validates a drop and decodes a task's stored parameters.
@Suite struct ImageOperationTests {
    func decode(_ algorithm: String, _ params: String) throws -> Result<ImageOperation, ParamErrors> {
        ImageOperation.decode(algorithm: .string(algorithm), params: try JSONParser.parse(Array(params.utf8)))
    }

    func errors(_ algorithm: String, _ params: String) throws -> [String: [String]] {
        guard case let .failure(errors) = try decode(algorithm, params) else { return [:] }
        return Dictionary(uniqueKeysWithValues: errors.entries.map { ($0.path, $0.messages) })
    }

    @Test func decodesEachAlgorithmWithItsDefaults() throws {
        #expect(try decode("flip", "null").get().steps == [.flip(horizontal: true, vertical: false)])
        #expect(try decode("flip", #"{"direction": "both"}"#).get().steps == [.flip(horizontal: true, vertical: true)])
        #expect(try decode("resize", #"{"width": 128}"#).get().steps == [.resize(width: 128, height: nil, fit: .inside, kernel: .lanczos3, background: .black)])
        let cover = try decode("resize", #"{"width": 10, "height": 20, "fit": "cover", "kernel": "bilinear", "format": "webp", "quality": 70}"#).get()
        #expect(cover.steps == [.resize(width: 10, height: 20, fit: .cover, kernel: .bilinear, background: .black)])
        #expect(cover.format == .webp && cover.quality == 70 && cover.autoOrient)
        #expect(try decode("rotate", ##"{"degrees": 45.5, "background": "#ff000080"}"##).get().steps
                == [.rotate(degrees: 45.5, background: RGBA(red: 255, green: 0, blue: 0, alpha: 63))])
        #expect(try decode("contrast", #"{"value": -20}"#).get().steps == [.contrast(-20)])
        #expect(try decode("colorize", #"{"r": 40}"#).get().steps == [.colorize(red: 40, green: 0, blue: 0, alpha: 0)])
        #expect(try decode("blur", "{}").get().steps == [.blur(sigma: 2)])
        #expect(try decode("grayscale", #"{"auto_orient": false}"#).get().autoOrient == false)
        for name in ["grayscale", "negate", "sharpen", "emboss", "edge_detect", "smooth"] {
            #expect(throws: Never.self, "\(name) needs no parameters") { try decode(name, "null").get() }
        }
        let pipeline = try decode("pipeline", #"{"steps": [{"algorithm": "resize", "params": {"height": 50}}, {"algorithm": "negate"}], "format": "png"}"#).get()
        #expect(pipeline.steps == [.resize(width: nil, height: 50, fit: .inside, kernel: .lanczos3, background: .black), .negate])
        #expect(pipeline.format == .png && pipeline.algorithm == "pipeline")
    }

    @Test func namesEveryBadParameterByItsPath() throws {
        #expect(try errors("resize", "{}")["params.width"]?.first?.contains("give width and/or height") == true)
        #expect(try errors("resize", #"{"width": 0, "height": 9000}"#).keys.sorted() == ["params.height", "params.width"])
        #expect(try errors("resize", #"{"width": 10, "fit": "cover"}"#)["params.fit"] == [#""cover" needs both width and height"#])
        #expect(try errors("resize", #"{"width": "10"}"#)["params.width"] == ["expected integer, got string"])
        #expect(try errors("flip", #"{"direction": "diagonal"}"#)["params.direction"]?.isEmpty == false)
        #expect(try errors("flip", #"{"degrees": 90}"#)["params.degrees"]?.first?.hasPrefix("unknown parameter") == true)
        #expect(try errors("crop", #"{"x": 0, "y": 0}"#).keys.sorted() == ["params.height", "params.width"])
        #expect(try errors("brightness", #"{"value": 300}"#)["params.value"] == ["must be from -255 to 255, got 300"])
        #expect(try errors("rotate", #"{"degrees": 90, "background": "red"}"#)["params.background"]?.isEmpty == false)
        #expect(try errors("blur", #"{"sigma": 1e9}"#)["params.sigma"]?.isEmpty == false)
        #expect(try errors("negate", #"{"quality": 0}"#)["params.quality"] == ["must be from 1 to 100, got 0"])
        #expect(try errors("negate", #"{"format": "bmp"}"#)["params.format"]?.isEmpty == false)
        #expect(try errors("negate", "[1]")["params"] == ["expected object or null, got array"])
        #expect(try errors("sepia", "{}")["algorithm"]?.first?.hasPrefix(#"unknown algorithm "sepia""#) == true)
        #expect(ImageOperation.decode(algorithm: nil, params: nil) == .failure({ var e = ParamErrors(); e.add("algorithm", "missing field: one of \(ImageOperation.algorithmNames.joined(separator: ", "))"); return e }()))
    }

    @Test func aPipelineHoldsOneToTenStepsAndNoPipeline() throws {
        let eleven = Array(repeating: #"{"algorithm": "negate"}"#, count: 11).joined(separator: ",")
        #expect(try errors("pipeline", #"{"steps": [\#(eleven)]}"#)["params.steps"] == ["must hold 1 to 10 steps, got 11"])
        #expect(try errors("pipeline", #"{"steps": []}"#)["params.steps"] == ["must hold 1 to 10 steps, got 0"])
        #expect(try errors("pipeline", #"{"steps": [{"algorithm": "pipeline", "params": {"steps": []}}]}"#)["params.steps.0.algorithm"]
                == ["a pipeline cannot hold a pipeline"])
        let nested = try errors("pipeline", #"{"steps": [{"algorithm": "negate"}, {"algorithm": "resize", "params": {"width": -1}, "extra": 1}]}"#)
        #expect(nested.keys.sorted() == ["params.steps.1.extra", "params.steps.1.params.width"])
        // A step's format belongs to the pipeline, not to the step.
        #expect(try errors("pipeline", #"{"steps": [{"algorithm": "negate", "params": {"format": "png"}}]}"#)["params.steps.0.params.format"]?.isEmpty == false)
    }

    @Test func imageJobsAndRestartsAreRequests() throws {
        let decoder = RequestDecoder()
        func decode(_ json: String) throws -> Result<Request, RequestFailure> { decoder.decode(try JSONParser.parse(Array(json.utf8))) }
        let id = Identifier.make()
        guard case let .success(.imageJob(files, operation, params)) = try decode(#"{"op": "image.job", "file_ids": ["\#(id)"], "algorithm": "flip", "params": null}"#) else {
            Issue.record("image.job was not accepted"); return
        }
        #expect(files == [id] && operation.steps == [.flip(horizontal: true, vertical: false)] && params == .null)
        #expect(try decode(#"{"op": "task.restart", "id": "\#(id)"}"#) == .success(.taskRestart(id: id)))
        for (json, path) in [(#"{"op": "image.job", "file_ids": [], "algorithm": "flip"}"#, "file_ids"),
                             (#"{"op": "image.job", "file_ids": ["nope"], "algorithm": "flip"}"#, "file_ids.0"),
                             (#"{"op": "image.job", "algorithm": "flip"}"#, "file_ids"),
                             (#"{"op": "image.job", "file_ids": ["\#(id)"], "algorithm": "resize", "params": {"width": 0}}"#, "params.width"),
                             (#"{"op": "task.restart", "id": 7}"#, "id")] {
            guard case let .failure(failure) = try decode(json) else { Issue.record("accepted: \(json)"); continue }
            #expect(failure.status == 422 && failure.errors.map(\.path).contains(path), "\(json)")
        }
        // Across a batch, at most maxTasksPerFile tasks.
        var limits = Limits()
        limits.maxTasksPerFile = 3
        let batch = try JSONParser.parse(Array("[\(Array(repeating: #"{"op": "image.job", "file_ids": ["\#(id)", "\#(id)"], "algorithm": "negate"}"#, count: 2).joined(separator: ","))]".utf8))
        guard case let .failure(tooMany) = RequestDecoder(limits: limits).decodeDocument(batch) else { Issue.record("4 tasks accepted"); return }
        #expect(tooMany.status == 413)
    }

    @Test func aMillionUnknownParametersAreReportedBoundedly() throws {
        let keys = (0..<1_000_000).map { #""k\#($0)": 1"# }.joined(separator: ",")
        let params = try JSONParser.parse(Array("{\(keys)}".utf8))
        let started = ContinuousClock.now
        guard case let .failure(errors) = ImageOperation.decode(algorithm: .string("negate"), params: params) else { Issue.record("accepted"); return }
        #expect(ContinuousClock.now - started < .seconds(10), "linear, not quadratic")
        #expect(errors.entries.count == ParamErrors.maxPaths + 1)
        #expect(errors.entries.last?.messages == ["and 999900 more parameter errors not listed"])
    }

    @Test func coloursParseAsGivenOrNotAtAll() {
        #expect(RGBA(parsing: "#102030") == RGBA(red: 16, green: 32, blue: 48, alpha: 0))
        #expect(RGBA(parsing: "#10203000") == RGBA(red: 16, green: 32, blue: 48, alpha: 127))
        #expect(RGBA(parsing: "transparent") == .transparent)
        for bad in ["", "#12", "102030", "#gggggg", "#1020304"] { #expect(RGBA(parsing: bad) == nil, "\(bad)") }
    }
}
