import Foundation
import Testing
import TestSupport

/// Every malformed, oversized or hostile drop becomes a receipt with a precise message; nothing else is lost.
@Suite(.serialized) struct BadInputTests {
    func receipt(_ root: TemporaryRoot, _ name: String) -> (status: Int?, text: String) {
        guard let bytes = root.read("outbox/receipts/" + name) else { return (nil, "") }
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        return (json?["status"] as? Int, String(decoding: bytes, as: UTF8.self))
    }

    @Test func malformedRequestFilesGetReceiptsAndAreKept() throws {
        let root = TemporaryRoot("e2e-bad")
        defer { root.remove() }
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let cases: [(name: String, bytes: [UInt8], status: Int, message: String)] = [
            ("invalid.json", Array("{\"op\": ".utf8), 400, "not valid JSON: unexpected end of input"),
            ("empty.json", [], 400, "empty document"),
            ("scalar.json", Array("42".utf8), 422, "must hold a JSON object or an array of objects, not an integer"),
            ("deep.json", Array(deep.utf8), 400, "nesting deeper than 64 levels"),
            ("latin1.json", [0x7B, 0x22, 0x6F, 0x70, 0x22, 0x3A, 0x22, 0xE9, 0x22, 0x7D], 400, "invalid UTF-8 sequence at byte 7"),
            ("no-op.json", Array(#"{"url_list": ["http://a/b"]}"#.utf8), 422, #""op":["missing field"#),
            ("unknown-op.json", Array(#"{"op": "launch"}"#.utf8), 422, #"unknown operation \"launch\""#),
            ("unknown-field.json", Array(#"{"op": "download", "url_list": ["http://a/b"], "urls": 1}"#.utf8), 422, #""urls":["unknown field"]"#),
            ("wrong-type.json", Array(#"{"op": "download", "url_list": "http://a/b"}"#.utf8), 422, "expected array of strings, got string"),
            ("empty-list.json", Array(#"{"op": "download", "url_list": []}"#.utf8), 422, "must hold at least one URL"),
            ("long-list.json", Array(#"{"op": "download", "url_list": ["http://a/1","http://a/2","http://a/3","http://a/4"]}"#.utf8), 422, "holds 4 URLs; at most 3 are allowed (--max-urls)"),
            ("ftp.json", Array(#"{"op": "download", "url_list": ["ftp://a/b"]}"#.utf8), 422, #"scheme \"ftp\" is not allowed"#),
            ("file-url.json", Array(#"{"op": "download", "url_list": ["file:///etc/passwd"]}"#.utf8), 422, #"scheme \"file\" is not allowed"#),
            ("huge.json", Array(#"{"op": "download", "url_list": ["http://a/b"], "pad": ""#.utf8) + [UInt8](repeating: 0x61, count: 3000) + Array(#""}"#.utf8), 413, "the limit is 2048 bytes (--max-request-bytes)"),
            ("unknown-id.json", Array(#"{"op": "file.update", "id": "00000000-0000-4000-8000-000000000000", "name": "x"}"#.utf8), 404, "File with the matching ID was not found."),
            ("bad-uuid.json", Array(#"{"op": "file.delete", "id": "../../etc"}"#.utf8), 422, "not a valid UUID"),
            ("with space ünï\ncode.json", Array(#"{"op": "file.delete", "id": "00000000-0000-4000-8000-000000000000"}"#.utf8), 404, "not found"),
        ]
        for c in cases { try root.drop(c.name, c.bytes) }
        // Non-regular entries: refused without reading the target.
        let secret = root.path + "/secret.txt"
        try Data("do not read".utf8).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.createSymbolicLink(atPath: root.path + "/inbox/link.json", withDestinationPath: secret)
        #expect(mkfifo(root.path + "/inbox/pipe.json", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: root.path + "/inbox/folder", withIntermediateDirectories: false)
        // A good drop beside them is handled as usual.
        try root.drop("good.txt", Array("fine".utf8))

        let run = try SluiceProcess.run(["run", "--root", root.path, "--max-request-bytes", "2048", "--max-urls", "3"])
        #expect(run.status == 0, "rejected requests are not a failure of the run: \(run.err)")
        for c in cases {
            let r = receipt(root, c.name)
            #expect(r.status == c.status, "\(c.name): \(r.text)")
            #expect(r.text.contains(c.message), "\(c.name): \(r.text)")
        }
        for name in ["link.json", "pipe.json"] {
            let r = receipt(root, name)
            #expect(r.status == 422, "\(name): \(r.text)")
            #expect(r.text.contains("not a regular file"), "\(name): \(r.text)")
            #expect(!r.text.contains("do not read"))
        }
        #expect(receipt(root, "folder.json").text.contains("is a directory, not a regular file"))
        #expect(receipt(root, "good.txt.json").status == 200)
        #expect(root.read("secret.txt") == Array("do not read".utf8), "a link's target is never touched")
        // Unreadable ones are kept with their error; valid-but-refused requests are archived as done.
        let rejected = root.list("inbox/.rejected")
        for name in ["invalid.json", "empty.json", "deep.json", "latin1.json", "huge.json", "scalar.json", "link.json"] {
            #expect(rejected.contains { $0.hasSuffix("-" + name) }, "\(name) kept in inbox/.rejected")
            #expect(rejected.contains { $0.hasSuffix("-" + name + ".error") }, "\(name) has its error beside it")
        }
        #expect(root.list("inbox").filter { !$0.hasPrefix(".") } == [], "nothing blocks the inbox")
    }

    @Test func hostileServersEndInErrorOrAreStoredSafely() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-hostile")
        defer { root.remove() }
        func named(_ cd: String) -> String { server.base + "/named?cd=" + cd.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        let urls = [
            server.base + "/status/404", server.base + "/status/500", "http://127.0.0.1:1/refused",
            server.base + "/redirect-loop", server.base + "/redirect-file", server.base + "/stall",
            server.base + "/chunked/5000", server.base + "/flaky/e2e/1",
            named("attachment; filename=\"../../x\""), named("attachment; filename=\"/etc/passwd\""),
            named("attachment; filename=\"\""), named("attachment; filename=\"" + String(repeating: "n", count: 3000) + ".txt\""),
        ]
        let list = urls.map { "\"\($0)\"" }.joined(separator: ",")
        try root.drop("hostile.json", json: #"{"op": "download", "url_list": [\#(list)]}"#)
        let started = Date()
        let run = try SluiceProcess.run(["run", "--root", root.path, "--attempts", "2", "--retry-delay", "0.05",
                                         "--stall-timeout", "1", "--max-download-bytes", "4096"])
        #expect(run.status == 0, "\(run.err)")
        #expect(Date().timeIntervalSince(started) < 60)
        let ids = try #require((root.json("outbox/receipts/hostile.json")?["body"] as? [String: Any])?["files"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(ids.count == urls.count)
        func file(_ i: Int) -> [String: Any] { root.json("outbox/files/\(ids[i]).json") ?? [:] }
        func error(_ i: Int) -> String { file(i)["error"] as? String ?? "" }
        #expect(error(0) == "HTTP 404 from the server")
        #expect(error(1) == "HTTP 500 from the server (after 2 attempts)")
        #expect(error(2).hasPrefix("could not connect") && error(2).hasSuffix("(after 2 attempts)"))
        #expect(error(3).contains("too many redirects"))
        #expect(error(4).contains("not http or https"))
        #expect(error(5).hasPrefix("timed out"))
        #expect(error(6) == "larger than the limit of 4096 bytes (--max-download-bytes)")
        #expect(file(7)["status"] as? String == "ready", "a 503 then 200 succeeds on retry")
        #expect(file(8)["name"] as? String == "x")
        #expect(file(9)["name"] as? String == "passwd")
        #expect(file(10)["name"] as? String == "named", "an empty suggested name falls back to the URL path")
        let long = file(11)["name"] as? String ?? ""
        #expect(long.utf8.count <= 255 && long.hasPrefix("nnnn"))
        for i in [8, 9, 10, 11] { #expect(file(i)["status"] as? String == "ready", "\(urls[i]): \(error(i))") }
        // Nothing outside upload/: every stored file is upload/<kind>/<id><ext>.
        let stored = FileManager.default.enumerator(atPath: root.path + "/upload")!.compactMap { $0 as? String }
            .filter { !$0.hasPrefix(".part") && $0.contains("/") }
        #expect(stored.count == 5)
        for path in stored { #expect(ids.contains { path.split(separator: "/").last!.hasPrefix($0) }, "\(path)") }
        #expect(!FileManager.default.fileExists(atPath: root.path + "/x") && !FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "/x"))
        #expect(root.list("upload/.part") == [], "no partial download is left behind")
    }

    @Test func withoutAUsableLibcurlDownloadsFailSayingWhatToInstall() throws {
        let root = TemporaryRoot("e2e-nocurl")
        defer { root.remove() }
        // A libcurl.so.4 that is a valid shared object without curl's functions, found before the real one.
        let fake = root.path + "/fake-lib"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
        // The Swift toolchain ships clang: on PATH, or beside /opt/swift's swift (where ./sluice.sh finds it).
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/opt/swift/usr/bin"]
        let clang = try #require(searched.map { $0 + "/clang" }.first { FileManager.default.isExecutableFile(atPath: $0) },
                                 "no clang on PATH or in /opt/swift/usr/bin")
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: clang)
        compiler.arguments = ["-shared", "-o", fake + "/libcurl.so.4", "-x", "c", "/dev/null"]
        try compiler.run()
        compiler.waitUntilExit()
        try #require(compiler.terminationStatus == 0, "clang (from the Swift toolchain) builds the stand-in library")

        try root.drop("get.json", json: #"{"op": "download", "url_list": ["http://127.0.0.1:9/x", "http://127.0.0.1:9/y"]}"#)
        try root.drop("note.txt", Array("an upload still works\n".utf8))
        let run = try SluiceProcess.run(["run", "--root", root.path], environment: ["LD_LIBRARY_PATH": fake])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("2 drops handled"))
        let ids = ((root.json("outbox/receipts/get.json")?["body"] as? [String: Any])?["files"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String }
        #expect(ids.count == 2)
        for id in ids {
            let file = root.json("outbox/files/\(id).json")
            #expect(file?["status"] as? String == "error")
            #expect(file?["error"] as? String == "libcurl.so.4 has no curl_global_init: libcurl 7.85 or later is needed (apt-get install libcurl4)")
        }
        #expect(root.json("outbox/receipts/note.txt.json")?["status"] as? Int == 200)
    }
}

/// Request files shaped to make a parser or a validator quadratic: each gets its receipt in bounded time, and the
/// drops after them are handled as usual.
@Suite(.serialized) struct HostileShapeTests {
    @Test func objectsOfAHundredThousandAndAMillionKeysGetTheirReceipts() throws {
        let root = TemporaryRoot("e2e-keys")
        defer { root.remove() }
        func object(_ keys: Int, duplicateLast: Bool = false) -> [UInt8] {
            var text = #"{"op": "download", "url_list": ["http://127.0.0.1:9/x"]"#
            text.reserveCapacity(keys * 16)
            for i in 0..<keys { text += ",\"k\(i)\":0" }
            if duplicateLast { text += ",\"k0\":0" }
            return Array((text + "}").utf8)
        }
        let million = object(1_000_000)
        #expect(million.count < 16 << 20, "under the size cap: \(million.count) bytes")
        try root.drop("keys-100k.json", object(100_000))
        try root.drop("keys-1m.json", million)
        try root.drop("keys-1m-duplicate.json", object(1_000_000, duplicateLast: true))
        try root.drop("after.txt", Array("a later drop".utf8))
        let started = Date()
        let run = try SluiceProcess.run(["run", "--root", root.path])
        let seconds = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.err)")
        #expect(seconds < 60, "bounded: \(seconds) s for 2.2 million keys (a debug build)")
        for name in ["keys-100k.json", "keys-1m.json"] {
            let receipt = try #require(root.json("outbox/receipts/" + name), "\(name) has a receipt")
            #expect(receipt["status"] as? Int == 422)
            let errors = try #require((receipt["body"] as? [String: Any])?["errors"] as? [String: [String]])
            #expect(errors["k0"] == ["unknown field"])
            #expect(errors.count == 101, "a bounded list of field errors")
        }
        let duplicate = try #require(root.json("outbox/receipts/keys-1m-duplicate.json"))
        #expect(duplicate["status"] as? Int == 400)
        #expect(((duplicate["body"] as? [String: Any])?["description"] as? String)?.contains("duplicate member name \"k0\"") == true)
        #expect(root.json("outbox/receipts/after.txt.json")?["status"] as? Int == 200, "the drop after them is handled")
    }
}
