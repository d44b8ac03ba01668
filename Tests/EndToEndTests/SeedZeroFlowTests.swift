import SluiceCore
import CLinux
import Foundation
import Testing
import Imaging
import TestSupport

/// Seed 000 and uploads through the real `sluice up`: drops in, receipts and objects out, the reader over HTTP.
@Suite(.serialized) struct SeedZeroFlowTests {
    @Test func downloadRenameUploadAndDeleteThroughUp() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-up")
        defer { root.remove() }
        let port = HTTPClient.freePort()
        let up = try SluiceProcess(["up", "--root", root.path, "--port", "\(port)", "--attempts", "1"])
        #expect(await HTTPClient.waitForReader(port: port))
        let reader = "http://127.0.0.1:\(port)"

        // download: a receipt at once with one id per URL, then each File reaches ready or error.
        try root.drop("get files.json", json: #"{"op": "download", "url_list": ["\#(server.base)/bytes/70000", "\#(server.base)/png", "\#(server.base)/status/404"]}"#)
        #expect(root.wait { root.json("outbox/receipts/get files.json") != nil })
        let receipt = try #require(root.json("outbox/receipts/get files.json"))
        #expect(receipt["status"] as? Int == 200)
        let files = try #require((receipt["body"] as? [String: Any])?["files"] as? [[String: Any]])
        let ids = files.compactMap { $0["id"] as? String }
        #expect(ids.count == 3)
        #expect(root.wait { ids.allSatisfy { ["ready", "error"].contains(root.json("outbox/files/\($0).json")?["status"] as? String) } })
        let blob = try #require(root.json("outbox/files/\(ids[0]).json"))
        #expect(blob["status"] as? String == "ready")
        #expect(blob["size"] as? Int == 70000)
        #expect(blob["name"] as? String == "70000")
        #expect((blob["download_time"] as? Double ?? -1) >= 0)
        #expect(root.json("outbox/files/\(ids[1]).json")?["mime"] as? String == "image/png")
        let missing = try #require(root.json("outbox/files/\(ids[2]).json"))
        #expect(missing["status"] as? String == "error")
        #expect(missing["error"] as? String == "HTTP 404 from the server")

        // The reader serves the same, and the stored bytes.
        let listed = try await HTTPClient.request(reader + "/files?per_page=2")
        #expect(listed.status == 200)
        #expect(((listed.json?["files"] as? [[String: Any]])?.compactMap { $0["id"] as? String }) == [ids[0], ids[1]])
        let next = try await HTTPClient.request(reader + "/files?per_page=2&show_after_id=\(ids[1])")
        #expect(((next.json?["files"] as? [[String: Any]])?.compactMap { $0["id"] as? String }) == [ids[2]])
        let bytes = try await HTTPClient.request(reader + "/file/\(ids[0])/download")
        let same = bytes.body == LocalHTTPServer.pattern(70000)
        #expect(same)
        #expect(bytes.headers["content-type"] == "application/octet-stream")
        #expect(try await HTTPClient.request(reader + "/files?per_page=101").status == 422)
        #expect(try await HTTPClient.request(reader + "/files?show_after_id=nope").status == 422)
        #expect(try await HTTPClient.request(reader + "/files?show_after_id=\(Identifier.make())").status == 404, "an id of nothing")
        #expect(try await HTTPClient.request(reader + "/files", method: "DELETE").status == 405)

        // file.update renames and comments.
        try root.drop("rename.json", json: #"{"op": "file.update", "id": "\#(ids[0])", "name": "renamed.bin", "comment": "hi"}"#)
        #expect(root.wait { root.json("outbox/files/\(ids[0]).json")?["name"] as? String == "renamed.bin" })
        // Objects are written before receipts in a publication: wait for the receipt too.
        #expect(root.wait { root.json("outbox/receipts/rename.json")?["status"] as? Int == 200 })
        let renamed = try await HTTPClient.request(reader + "/file/\(ids[0])/download")
        #expect(renamed.headers["content-disposition"]?.contains("renamed.bin") == true)

        // A plain file is an upload, stored by its sniffed kind under a name it does not choose.
        let image = try GDImage(width: 8, height: 8)
        image.setPixel(x: 1, y: 1, red: 10, green: 20, blue: 30)
        let png = try image.png()
        try root.drop("my photo ✓.png", png)
        #expect(root.wait { root.json("outbox/receipts/my photo ✓.png.json") != nil })
        let uploaded = try #require(root.json("outbox/receipts/my photo ✓.png.json")?["body"] as? [String: Any])
        let uploadID = try #require(uploaded["id"] as? String)
        #expect(uploaded["name"] as? String == "my photo ✓.png")
        #expect(uploaded["mime"] as? String == "image/png")
        #expect(root.read("upload/image/\(uploadID).png") == png)
        let served = try await HTTPClient.request(reader + "/file/\(uploadID)/download")
        #expect(served.body == png)
        #expect(try GDImage(png: served.body).pixel(x: 1, y: 1) & 0xFFFFFF == 0x0A141E)

        // file.delete removes the row, the object and the bytes.
        try root.drop("delete.json", json: #"{"op": "file.delete", "id": "\#(uploadID)"}"#)
        #expect(root.wait { root.json("outbox/receipts/delete.json") != nil })
        #expect(root.json("outbox/receipts/delete.json")?["status"] as? Int == 200)
        #expect(root.wait { root.read("upload/image/\(uploadID).png") == nil && root.read("outbox/files/\(uploadID).json") == nil })
        #expect(try await HTTPClient.request(reader + "/file/\(uploadID)").text == "{}")
        let index = try #require(root.json("outbox/files/index.json"))
        #expect(index["count"] as? Int == 3)

        up.stop()
        #expect(up.process.terminationStatus == 0, "SIGTERM stops cleanly")
        #expect(root.list("inbox").filter { !$0.hasPrefix(".") } == [], "every drop was taken")
        #expect(root.list("inbox/.work") == [], "a clean stop leaves no work folder")
    }

    @Test func aFileIsDownloadingOnlyWhileItsTransferRuns() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-states")
        defer { root.remove() }
        // One transfer per host at a time, each taking 1.5 s: the other two wait, and say so.
        let watch = try SluiceProcess(["watch", "--root", root.path, "--per-host", "1"])
        defer { watch.stop() }
        let urls = (0..<3).map { "\"\(server.base)/slow/1500/\(100 + $0)\"" }.joined(separator: ", ")
        try root.drop("slow.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        #expect(root.wait { root.json("outbox/receipts/slow.json") != nil })
        let body = try #require(root.json("outbox/receipts/slow.json")?["body"] as? [String: Any])
        let ids = try #require(body["files"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(ids.count == 3)
        func statuses() -> [String] { ids.map { root.json("outbox/files/\($0).json")?["status"] as? String ?? "absent" } }
        #expect(!statuses().contains("absent"), "each File is published by the time its receipt is")
        #expect(root.wait { statuses().contains("downloading") })
        #expect(statuses().sorted() == ["downloading", "pending", "pending"], "\(statuses())")
        #expect(root.wait(timeout: 20) { statuses() == ["ready", "ready", "ready"] }, "\(statuses())")
    }

    @Test func apiKeyProtectsEveryRouteButHealth() async throws {
        let root = TemporaryRoot("e2e-key")
        defer { root.remove() }
        let port = HTTPClient.freePort()
        let serve = try SluiceProcess(["serve", "--root", root.path, "--port", "\(port)"], environment: ["SLUICE_API_KEY": "s3cret"])
        defer { serve.stop() }
        #expect(await HTTPClient.waitForReader(port: port))
        let base = "http://127.0.0.1:\(port)"
        let refused = try await HTTPClient.request(base + "/files")
        #expect(refused.status == 401)
        #expect(refused.json?["error"] as? String == "unauthorized")
        #expect(try await HTTPClient.request(base + "/files", headers: ["X-API-KEY": "s3cret"]).status == 200)
        #expect(try await HTTPClient.request(base + "/healthz").status == 200)
    }

    @Test func submitDropsSafelyAndRunDrainsFromCron() throws {
        let root = TemporaryRoot("e2e-submit")
        defer { root.remove() }
        let request = NSTemporaryDirectory() + "/req-\(UUID().uuidString).json"
        try Data(#"{"op":"file.delete","id":"00000000-0000-4000-8000-000000000000"}"#.utf8).write(to: URL(fileURLWithPath: request))
        defer { try? FileManager.default.removeItem(atPath: request) }
        let submitted = try SluiceProcess.run(["submit", "--root", root.path, request])
        #expect(submitted.status == 0)
        #expect(submitted.out.hasSuffix("outbox/receipts/" + (request as NSString).lastPathComponent + "\n"))
        let run = try SluiceProcess.run(["run", "--root", root.path])
        #expect(run.status == 0)
        #expect(run.out.contains("1 drop handled"))
        let receipt = try #require(root.json("outbox/receipts/" + (request as NSString).lastPathComponent))
        #expect(receipt["status"] as? Int == 404)
        #expect((receipt["body"] as? [String: Any])?["description"] as? String == "File with the matching ID was not found.")
    }

    /// Seed 001's one-step upload: a file submitted with its name and comment is a File with both in its first
    /// published state (the receipt), kept by every later stage; a name or comment that cannot be used refuses the
    /// upload whole, with the reason, and stores nothing.
    @Test func anUploadCarriesItsNameAndCommentInOneStep() throws {
        let root = TemporaryRoot("e2e-submit-named")
        defer { root.remove() }
        let note = NSTemporaryDirectory() + "/IMG_\(UUID().uuidString.prefix(8)).md"
        try Data("a note\n".utf8).write(to: URL(fileURLWithPath: note))
        defer { try? FileManager.default.removeItem(atPath: note) }
        let dropped = (note as NSString).lastPathComponent
        // A given name without an extension keeps the dropped file's (seed 001's "subka" keeps ".pdf").
        let submitted = try SluiceProcess.run(["submit", "--root", root.path, "--name", "Groceries, Monday",
                                               "--comment", "milk, eggs — and coffee", note])
        #expect(submitted.status == 0, "\(submitted.err)")
        #expect(try SluiceProcess.run(["run", "--root", root.path]).status == 0)
        let file = try #require(root.json("outbox/receipts/\(dropped).json")?["body"] as? [String: Any])
        #expect(file["name"] as? String == "Groceries, Monday" && file["comment"] as? String == "milk, eggs — and coffee")
        #expect(file["extension"] as? String == ".md" && file["mime"] as? String == "text/plain")
        #expect(file["updated_at"] as? String != nil)
        let id = try #require(file["id"] as? String)
        let published = root.json("outbox/files/\(id).json")
        #expect(published?["name"] as? String == "Groceries, Monday" && published?["comment"] as? String == "milk, eggs — and coffee")
        #expect(root.list("upload/text") == ["\(id).md"])

        // The same by hand, with a name and a comment no File may have: refused whole, nothing stored.
        let bad = root.path + "/inbox/.writing"
        try Data("x".utf8).write(to: URL(fileURLWithPath: bad))
        let long = Array(String(repeating: "n", count: 300).utf8), notText: [UInt8] = [0x63, 0xFF, 0xFE]
        #expect(long.withUnsafeBytes { setxattr(bad, "user.sluice.name", $0.baseAddress, $0.count, 0) } == 0)
        #expect(notText.withUnsafeBytes { setxattr(bad, "user.sluice.comment", $0.baseAddress, $0.count, 0) } == 0)
        #expect(rename(bad, root.path + "/inbox/bad.txt") == 0)
        #expect(try SluiceProcess.run(["run", "--root", root.path]).status == 0)
        let refused = try #require(root.json("outbox/receipts/bad.txt.json"))
        #expect(refused["status"] as? Int == 422)
        let errors = (refused["body"] as? [String: Any])?["errors"] as? [String: [String]]
        #expect(errors?["user.sluice.name"] == ["longer than 255 bytes"] && errors?["user.sluice.comment"] == ["not UTF-8"],
                "\(String(describing: errors))")
        #expect(root.list("upload/text") == ["\(id).md"], "nothing of the refused upload was stored")
        #expect(root.json("outbox/files/index.json")?["count"] as? Int == 1, "and no File was made")
        #expect(root.list("inbox/.rejected").contains { $0.hasSuffix("-bad.txt") }, "the refused file is kept: \(root.list("inbox/.rejected"))")

        // --name and --comment are for one upload.
        let misuse = try SluiceProcess.run(["submit", "--root", root.path, "--comment", "x", "a.json"])
        #expect(misuse.status == 64 && misuse.err.contains("--name and --comment are for one plain file"))
    }

    @Test func helpHasExamples() throws {
        for command in ["up", "watch", "run", "serve", "submit"] {
            let help = try SluiceProcess.run([command, "--help"])
            #expect(help.status == 0)
            #expect(help.out.contains("sluice \(command)") && help.out.contains("--root"), "\(command) --help")
        }
        let bad = try SluiceProcess.run(["run", "--attempts", "0"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--attempts must be at least 1"))
    }
}
