import Catalogue
import Foundation
import Hummingbird
import Logging
@testable import Reader
import SluiceCore
import Testing
import TestSupport

@Suite(.serialized) struct ReaderTests {
    /// Runs the reader in-process on a free port over a root with one stored file.
    func withReader(apiKey: String? = nil, idleTimeout: Double? = nil, _ body: (String, TemporaryRoot, FileRecord) async throws -> Void) async throws {
        let root = TemporaryRoot("reader")
        defer { root.remove() }
        for folder in [".sluice", "outbox/files", "upload/text"] {
            try FileManager.default.createDirectory(atPath: root.path + "/" + folder, withIntermediateDirectories: true)
        }
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
        var file = FileRecord(id: Identifier.make(), url: nil, name: "naïve \"quote\".txt", fileExtension: ".txt",
                              mime: "text/plain", kind: .text, size: 5, addedAt: .now(), status: .ready)
        try catalogue.write { try $0.insertFile(&file) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: root.path + "/" + file.storedPath!))
        try Data("<h1>hi</h1>".utf8).write(to: URL(fileURLWithPath: root.path + "/outbox/index.html"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root.path + "/outbox/files/.tmp-1-1"))
        try FileManager.default.createSymbolicLink(atPath: root.path + "/outbox/files/escape.json", withDestinationPath: "/etc/passwd")
        var configuration = ReaderConfiguration(root: root.path)
        configuration.port = HTTPClient.freePort()
        configuration.apiKey = apiKey
        if let idleTimeout { configuration.idleTimeout = idleTimeout }
        let app = ReaderApplication.make(configuration: configuration, catalogue: try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite", readOnly: true), logger: Logger(label: "test"))
        let task = Task { try await app.runService() }
        defer { task.cancel() }
        #expect(await HTTPClient.waitForReader(port: configuration.port))
        try await body("http://127.0.0.1:\(configuration.port)", root, file)
    }

    @Test func servesStoredBytesWithTypeAndName() async throws {
        try await withReader { base, _, file in
            let answer = try await HTTPClient.request(base + "/file/\(file.id)/download")
            #expect(answer.text == "hello")
            #expect(answer.headers["content-type"] == "text/plain")
            #expect(answer.headers["content-disposition"] == "attachment; filename=\"na_ve _quote_.txt\"; filename*=UTF-8''na%C3%AFve%20%22quote%22.txt",
                    "anything but a photo's type is an attachment")
            let head = try await HTTPClient.request(base + "/file/\(file.id)/download", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "5")
            #expect(try await HTTPClient.request(base + "/file/\(Identifier.make())").text == "{}")
            #expect(try await HTTPClient.request(base + "/file/\(Identifier.make())/download").status == 404)
        }
    }

    @Test func answersCarryValidatorsAndFilesServeRanges() async throws {
        try await withReader { base, root, file in
            // A JSON answer: a strong ETag of its bytes, revalidated; the same ETag again is a 304 without a body.
            let listed = try await HTTPClient.request(base + "/files")
            let etag = try #require(listed.headers["etag"])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/") && listed.headers["cache-control"] == "no-cache")
            let unchanged = try await HTTPClient.request(base + "/files", headers: ["If-None-Match": etag])
            #expect(unchanged.status == 304 && unchanged.body.isEmpty && unchanged.headers["etag"] == etag)
            #expect(try await HTTPClient.request(base + "/files", headers: ["If-None-Match": "\"other\", \(etag)"]).status == 304)
            #expect(try await HTTPClient.request(base + "/files", headers: ["If-None-Match": "\"other\""]).status == 200)
            #expect(try await HTTPClient.request(base + "/file/\(Identifier.make())/download").headers["cache-control"] == "no-store",
                    "an error is not kept")

            // Stored bytes ("hello"): validators, a long cache, and single ranges of every form.
            let url = base + "/file/\(file.id)/download"
            let whole = try await HTTPClient.request(url)
            #expect(whole.status == 200 && whole.text == "hello" && whole.headers["accept-ranges"] == "bytes")
            #expect(whole.headers["cache-control"] == "max-age=86400")
            let fileTag = try #require(whole.headers["etag"]), modified = try #require(whole.headers["last-modified"])
            #expect(modified.hasSuffix(" GMT"))
            #expect(try await HTTPClient.request(url, headers: ["If-None-Match": fileTag]).status == 304)
            #expect(try await HTTPClient.request(url, headers: ["If-Modified-Since": modified]).status == 304)
            #expect(try await HTTPClient.request(url, headers: ["If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"]).status == 200)
            for (range, text, contentRange) in [("bytes=0-1", "he", "bytes 0-1/5"), ("bytes=-3", "llo", "bytes 2-4/5"),
                                                ("bytes=1-", "ello", "bytes 1-4/5"), ("bytes=3-100", "lo", "bytes 3-4/5"),
                                                ("bytes=-100", "hello", "bytes 0-4/5")] {
                let part = try await HTTPClient.request(url, headers: ["Range": range])
                #expect(part.status == 206 && part.text == text && part.headers["content-range"] == contentRange, "\(range)")
                #expect(part.headers["content-length"] == "\(text.utf8.count)", "\(range)")
            }
            let past = try await HTTPClient.request(url, headers: ["Range": "bytes=10-"])
            #expect(past.status == 416 && past.headers["content-range"] == "bytes */5")
            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=0-0,2-2"]).text == "hello", "several ranges: the whole")
            #expect(try await HTTPClient.request(url, headers: ["Range": "lines=1-2"]).status == 200)
            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=0-1", "If-Range": fileTag]).status == 206)
            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=0-1", "If-Range": "\"stale\""]).text == "hello",
                    "If-Range of another version: the whole")

            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=99999999999999999999-"]).status == 416, "past any end")
            #expect(try await HTTPClient.request(url, headers: ["Range": "BYTES=0-1"]).text == "he", "the unit in any case")
            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=+1-2"]).text == "hello", "not a number: the whole")
            #expect(try await HTTPClient.request(url, headers: ["Range": "bytes=10-", "If-None-Match": fileTag]).status == 304,
                    "the validators first, then the range")

            // A file past the size read at once streams, whole and in part, the same bytes.
            let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try Data(big).write(to: URL(fileURLWithPath: root.path + "/outbox/big.bin"))
            let streamed = try await HTTPClient.request(base + "/big.bin")
            #expect(streamed.status == 200 && streamed.body == big && streamed.headers["content-length"] == "300000")
            let tail = try await HTTPClient.request(base + "/big.bin", headers: ["Range": "bytes=-140000"])
            #expect(tail.status == 206 && tail.body == Array(big.suffix(140_000)) && tail.headers["content-range"] == "bytes 160000-299999/300000")

            // A static outbox file: its own validators, revalidated.
            let page = try await HTTPClient.request(base + "/")
            #expect(page.headers["cache-control"] == "no-cache" && page.headers["etag"] != nil)
            #expect(try await HTTPClient.request(base + "/", headers: ["If-None-Match": page.headers["etag"]!]).status == 304)
        }
    }

    /// A small outbox file is answered from memory while it is the version last read; any new version, renamed over
    /// it (what the outbox does) or written in place at the same size, is answered at once, and ranges and validators
    /// are those of the bytes answered. Only a version whose change time has settled is kept (file times tick
    /// coarsely): the test waits for that.
    @Test func smallOutboxFilesAnsweredFromMemoryAreNeverStale() async throws {
        try await withReader { base, root, _ in
            let path = root.path + "/outbox/files/page-0.json"
            try Data(#"{"files":["one"]}"#.utf8).write(to: URL(fileURLWithPath: path))
            #expect(try await HTTPClient.request(base + "/files/page-0.json").text == #"{"files":["one"]}"#, "fresh: read, not kept")
            try await Task.sleep(for: .seconds(Double(OutboxFileCache.settled) + 1.1))

            // Settled: kept at the next read, and the cache itself says so.
            let first = try await HTTPClient.request(base + "/files/page-0.json")
            var status = stat()
            #expect(lstat(path, &status) == 0)
            let cache = OutboxFileCache()
            let fd = open(path, O_RDONLY)
            var before = stat()
            #expect(fstat(fd, &before) == 0)
            cache.keep(path, fd: fd, before: before, bytes: ByteBuffer(string: #"{"files":["one"]}"#), validators: .init(before), headers: [:])
            close(fd)
            #expect(cache.kept(path, status) != nil)

            let again = try await HTTPClient.request(base + "/files/page-0.json")
            #expect(first.text == #"{"files":["one"]}"# && again.text == first.text && again.headers["etag"] == first.headers["etag"])
            #expect(again.headers["content-type"] == "application/json" && again.headers["content-length"] == "17")
            let part = try await HTTPClient.request(base + "/files/page-0.json", headers: ["Range": "bytes=-5"])
            #expect(part.status == 206 && part.text == #"ne"]}"# && part.headers["content-range"] == "bytes 12-16/17")
            let head = try await HTTPClient.request(base + "/files/page-0.json", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "17")
            #expect(try await HTTPClient.request(base + "/files/page-0.json", headers: ["If-None-Match": again.headers["etag"]!]).status == 304)

            // Written in place, the same size: another change time.
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.write(contentsOf: Data(#"{"files":["two"]}"#.utf8))
            try handle.close()
            #expect(lstat(path, &status) == 0)
            #expect(cache.kept(path, status) == nil)
            let inPlace = try await HTTPClient.request(base + "/files/page-0.json")
            #expect(inPlace.text == #"{"files":["two"]}"# && inPlace.headers["etag"] != first.headers["etag"])

            // The same size again, renamed over the name: another inode.
            try Data(#"{"files":["six"]}"#.utf8).write(to: URL(fileURLWithPath: root.path + "/outbox/files/.tmp-page"))
            #expect(rename(root.path + "/outbox/files/.tmp-page", path) == 0)
            #expect(try await HTTPClient.request(base + "/files/page-0.json").text == #"{"files":["six"]}"#)

            // Gone: not found, whatever was kept.
            #expect(unlink(path) == 0)
            #expect(try await HTTPClient.request(base + "/files/page-0.json").status == 404)
        }
    }

    /// A plain GET of a kept outbox file is answered on the connection's event loop (`KeptFileAnswerer`), with the
    /// bytes and headers the router gives; everything else is still the router's, in order.
    @Test func keptOutboxFilesAreAnsweredInTheChannelAsTheRouterWould() async throws {
        try await withReader(apiKey: "k3y", idleTimeout: 1) { base, root, _ in
            let key = ["X-API-KEY": "k3y"]
            let url = base + "/files/page-0.json"
            let page = #"{"files":""# + String(repeating: "x", count: 40_000) + #""}"#
            try Data(page.utf8).write(to: URL(fileURLWithPath: root.path + "/outbox/files/page-0.json"))
            try await Task.sleep(for: .seconds(Double(OutboxFileCache.settled) + 1.1))
            func keptAnswers() async throws -> Int {
                let text = try await HTTPClient.request(base + "/metrics", headers: key).text
                let line = text.split(separator: "\n").first { $0.hasPrefix("sluice_reader_kept_answers_total ") }
                return try #require(line.flatMap { Int($0.split(separator: " ")[1]) })
            }

            let routed = try await HTTPClient.request(url, headers: key) // read, kept, and its path noted
            let before = try await keptAnswers()
            let kept = try await HTTPClient.request(url, headers: key)
            #expect(try await keptAnswers() == before + 1, "answered in the channel")
            #expect(kept.status == 200 && kept.text == page && kept.body == routed.body)
            for name in ["content-type", "content-length", "etag", "last-modified", "cache-control", "accept-ranges", "server"] {
                #expect(kept.headers[name] == routed.headers[name] && kept.headers[name] != nil, "\(name)")
            }
            #expect(kept.headers["date"] != nil)

            // Without the key, with validators, a range or HEAD: the router's answers, none from the channel.
            #expect(try await HTTPClient.request(url).status == 401)
            #expect(try await HTTPClient.request(url, headers: ["X-API-KEY": "k3x"]).status == 401)
            #expect(try await HTTPClient.request(url, headers: key.merging(["If-None-Match": kept.headers["etag"]!]) { a, _ in a }).status == 304)
            let part = try await HTTPClient.request(url, headers: key.merging(["Range": "bytes=0-9"]) { a, _ in a })
            #expect(part.status == 206 && part.text == #"{"files":""#)
            let head = try await HTTPClient.request(url, method: "HEAD", headers: key)
            #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "\(page.utf8.count)")
            #expect(try await keptAnswers() == before + 1)

            // Pipelined on one connection: answers in the order asked. One passed on to the router holds back the kept
            // ones after it until its answer is written; a request with `Connection: close` is the router's, which closes.
            func get(_ path: String, _ extra: String = "") -> String { "GET \(path) HTTP/1.1\r\nHost: x\r\nX-API-KEY: k3y\r\n\(extra)\r\n" }
            let pipelined = RawConnection(port: Int(base.split(separator: ":").last!)!)
            pipelined.receiveTimeout(seconds: 5)
            pipelined.send(get("/files/page-0.json") + get("/files?per_page=1") + get("/files/page-0.json") + get("/healthz")
                           + get("/files/page-0.json", "Connection: close\r\n"))
            let answers = (0..<5).compactMap { _ in pipelined.readAnswer() }
            #expect(answers.count == 5)
            if answers.count == 5 {
                #expect([0, 2, 4].allSatisfy { answers[$0].body == Array(page.utf8) })
                #expect(String(decoding: answers[1].body, as: UTF8.self).hasPrefix(#"{"files":[{"id":"#), "the listing, second")
                #expect(answers[3].body == Array(#"{"status":"ok"}"#.utf8))
            }
            #expect(pipelined.readUntilClosed().closed)
            #expect(try await keptAnswers() == before + 2, "of the three, only the first is answered in the channel")

            // Idle timeout 1 s: a connection asking only for kept files every 0.25 s is answered throughout, not
            // closed as idle (its requests count for Hummingbird's connection state as any other).
            let steady = RawConnection(port: Int(base.split(separator: ":").last!)!)
            steady.receiveTimeout(seconds: 3)
            for _ in 0..<5 {
                steady.send(get("/files/page-0.json"))
                #expect(steady.readAnswer()?.body.count == page.utf8.count)
                try await Task.sleep(for: .milliseconds(250))
            }
            // Idle after kept answers: closed after the idle timeout as any connection is (its requests were counted
            // done).
            try await Task.sleep(for: .seconds(1.6))
            #expect(steady.readUntilClosed().closed)
            #expect(try await keptAnswers() == before + 7)

            // A client that asks for three and closes its side, then reads nothing for a second through a small buffer:
            // the answers (which the kernel's send buffer holds) all arrive, whole, before the close.
            let halfClosed = RawConnection(port: Int(base.split(separator: ":").last!)!, receiveBuffer: 1024)
            halfClosed.receiveTimeout(seconds: 3)
            halfClosed.send(String(repeating: get("/files/page-0.json"), count: 3))
            shutdown(halfClosed.fd, Int32(SHUT_WR))
            try await Task.sleep(for: .seconds(1))
            #expect((0..<3).map { _ in halfClosed.readAnswer()?.body.count } == Array(repeating: page.utf8.count, count: 3))
            #expect(halfClosed.readUntilClosed().closed)

            // A client that asks for 300 (12 MB) at once and does not read at first: once the kernel's buffers (at most
            // 4 MiB by default) are full and what was written waits unread, the requests go to the router, whose
            // back-pressure stops reading the connection. Read soon (well within the idle timeout, after which a client
            // that takes nothing is closed), all 300 arrive, in order; fewer than 300 were answered in the channel
            // (without the writability check, all of them are, as soon as they are read).
            let stalled = RawConnection(port: Int(base.split(separator: ":").last!)!, receiveBuffer: 1024)
            stalled.receiveTimeout(seconds: 5)
            let keptBefore = try await keptAnswers()
            stalled.send(String(repeating: get("/files/page-0.json"), count: 300))
            usleep(100_000)
            #expect((0..<300).compactMap { _ in stalled.readAnswer() }.filter { $0.body == Array(page.utf8) }.count == 300)
            let keptWhileStalled = try await keptAnswers() - keptBefore
            #expect(keptWhileStalled >= 1 && keptWhileStalled < 300, "\(keptWhileStalled) of 300 answered in the channel")
        }
    }

    /// A listing answer kept per catalogue version: the same answer while nothing is written, the new one at once
    /// after a write.
    @Test func listingsFollowEveryCatalogueWrite() async throws {
        try await withReader { base, root, file in
            let before = try await HTTPClient.request(base + "/files?per_page=5")
            #expect(before.text.contains(file.id))
            let kept = try await HTTPClient.request(base + "/files?per_page=5")
            #expect(kept.body == before.body && kept.headers["etag"] == before.headers["etag"])
            let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
            var added = FileRecord(id: Identifier.make(), url: nil, name: "later.txt", fileExtension: ".txt", mime: "text/plain", kind: .text,
                                   size: 1, addedAt: .now(), status: .ready)
            try catalogue.write { try $0.insertFile(&added) }
            let after = try await HTTPClient.request(base + "/files?per_page=5", headers: ["If-None-Match": before.headers["etag"]!])
            #expect(after.status == 200 && after.text.contains(added.id) && after.headers["etag"] != before.headers["etag"])
            let one = try await HTTPClient.request(base + "/files?per_page=1")
            #expect(one.text.components(separatedBy: "\"id\"").count == 2, "another query, its own answer: \(one.text)")
            try catalogue.write { try $0.deleteFile(id: added.id) }
            #expect(try await HTTPClient.request(base + "/files?per_page=5").text.contains(added.id) == false)
            #expect(try await HTTPClient.request(base + "/files?per_page=5&show_after_id=\(added.id)").status == 404)
        }
    }

    /// `/openapi.json` documents exactly the routes the reader registers, each for GET and HEAD.
    @Test func theOpenAPIDocumentNamesEveryRegisteredRoute() throws {
        let router = Router()
        let root = TemporaryRoot("reader-routes")
        defer { root.remove() }
        let routes = ReaderRoutes(root: root.path, catalogue: MemoryCatalogue(), baseURL: "http://x", metrics: ReaderMetrics(), keyed: false)
        routes.register(on: router)
        let registered = router.routes.map { "\($0.method) \($0.path)" }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.body.readableBytesView)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any]).keys
        let documented = paths.flatMap { path in ["GET", "HEAD"].map { "\($0) \(path)" } }
        #expect(Set(registered) == Set(documented),
                "registered, not documented: \(Set(registered).subtracting(documented)); documented, not registered: \(Set(documented).subtracting(registered))")
    }

    @Test func connectionsAreBoundedInTimeAndHeaderSize() async throws {
        let root = TemporaryRoot("reader-bounds")
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.path + "/.sluice", withIntermediateDirectories: true)
        _ = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
        var configuration = ReaderConfiguration(root: root.path)
        configuration.port = HTTPClient.freePort()
        configuration.idleTimeout = 1.5
        let app = ReaderApplication.make(configuration: configuration, catalogue: try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite", readOnly: true),
                                         logger: Logger(label: "test"))
        let task = Task { try await app.runService() }
        defer { task.cancel() }
        #expect(await HTTPClient.waitForReader(port: configuration.port))

        /// A raw connection: sends `request`, then reads until the server closes it (or 6 s pass without bytes);
        /// what it read, and when.
        func exchange(_ request: String) -> (answer: String, seconds: Double) {
            let connection = RawConnection(port: configuration.port)
            connection.receiveTimeout(seconds: 6)
            let started = Date()
            connection.send(request)
            let (answer, _) = connection.readUntilClosed()
            return (String(decoding: answer, as: UTF8.self), Date().timeIntervalSince(started))
        }

        // A plain request is answered.
        #expect(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").answer.contains(#"{"status":"ok"}"#))
        // A connection that never sends a request is closed after the idle timeout, not held.
        let idle = exchange("")
        #expect(idle.answer.isEmpty && idle.seconds >= 1 && idle.seconds < 4.5, "closed after \(idle.seconds) s")
        // A request whose headers pass 32 KiB gets no answer from a route.
        let huge = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n")
        #expect(!huge.answer.contains("200 OK"), "\(huge.answer.prefix(80))")

        // A file of 16 GiB (sparse). HEAD answers its headers without reading it: the next request on the connection
        // is answered at once, not after 16 GiB were read and dropped.
        try FileManager.default.createDirectory(atPath: root.path + "/outbox", withIntermediateDirectories: true)
        let sparse = open(root.path + "/outbox/huge.bin", O_WRONLY | O_CREAT, 0o644)
        #expect(ftruncate(sparse, 16 << 30) == 0)
        close(sparse)
        let head = exchange("HEAD /huge.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(head.answer.lowercased().contains("content-length: 17179869184") && head.answer.hasSuffix(#"{"status":"ok"}"#)
                && head.seconds < 1.5, "\(head.seconds) s: \(head.answer.prefix(300))")

        // A client that asks for it and stops reading is closed once it has taken nothing for the idle timeout
        // (1.5 s): what it reads afterwards is what the buffers held, then the end.
        let stalled = RawConnection(port: configuration.port, receiveBuffer: 4096)
        stalled.send("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .seconds(4))
        stalled.receiveTimeout(seconds: 3)
        let (afterStall, ended) = stalled.readUntilClosed(limit: 256 << 20)
        let received = afterStall.count
        #expect(ended && received < 64 << 20, "\(received) bytes read after the stall, ended: \(ended)")
    }

    @Test func staticFilesNeverLeaveTheOutbox() async throws {
        try await withReader { base, root, file in
            #expect(try await HTTPClient.request(base + "/").text == "<h1>hi</h1>")
            #expect(try await HTTPClient.request(base + "/files/.tmp-1-1").status == 404, "hidden files are not served")
            #expect(try await HTTPClient.request(base + "/files/escape.json").status == 404, "links are not followed")
            #expect(try await HTTPClient.request(base + "/files/%2e%2e/%2e%2e/.sluice/catalogue.sqlite").status == 404)
            // A stored file outside the outbox (no hidden name on its way): reachable by its route only, never by a
            // path that climbs, encoded once or twice, through a route's parameter, or through a linked folder.
            let stored = try #require(file.storedPath)
            #expect(try await HTTPClient.request(base + "/file/\(file.id)/download").text == "hello")
            try FileManager.default.createSymbolicLink(atPath: root.path + "/outbox/uploads", withDestinationPath: root.path + "/upload")
            let encoded = stored.replacingOccurrences(of: "/", with: "%2f")
            for climb in ["/%2e%2e/\(stored)", "/files/%2e%2e/%2e%2e/\(stored)", "/files/%252e%252e/%252e%252e/\(stored)",
                          "/receipts/..%2f..%2f\(encoded)", "/pets/%2e%2e%2f%2e%2e%2f\(encoded)", "/files/..%5c..%5c\(stored)",
                          "/uploads/\(stored.dropFirst("upload/".count))"] {
                let answer = try await HTTPClient.request(base + climb)
                #expect(answer.status == 404 && answer.text != "hello", "\(climb)")
            }
            #expect(try await HTTPClient.request(base + "/nothing-here").json?["error"] as? String == "not found")
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                let answer = try await HTTPClient.request(base + "/files", method: method)
                #expect(answer.status == 405, "\(method)")
                #expect(answer.headers["allow"] == "GET, HEAD")
            }
        }
    }
}
