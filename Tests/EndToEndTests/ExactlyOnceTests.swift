import Catalogue
import Foundation
import SluiceCore
import Testing
import TestSupport

/// The spool's guarantee under crashes and floods: every drop applied exactly once.
@Suite(.serialized) struct ExactlyOnceTests {
    /// Reads every File from the catalogue, read-only.
    func catalogueFiles(_ root: TemporaryRoot) throws -> [FileRecord] {
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite", readOnly: true)
        return try catalogue.read { try $0.files(afterSeq: 0, limit: 1_000_000) }
    }

    func visibleInbox(_ root: TemporaryRoot) -> [String] { root.list("inbox").filter { !$0.hasPrefix(".") } }

    @Test func killNineAtRandomMomentsThenRestartAppliesEveryDropOnce() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-crash")
        defer { root.remove() }
        let uploads = 200, downloads = 40
        let arguments = ["watch", "--root", root.path, "--retry-delay", "0.05"]
        var watch = try SluiceProcess(arguments)
        var kills = 0
        let dropper = Task.detached {
            for i in 0..<(uploads + downloads) {
                if i < uploads {
                    try root.drop("u-\(i).txt", Array("drop-\(i)".utf8))
                } else {
                    try root.drop("d-\(i).json", json: #"{"op": "download", "url_list": ["\#(server.base)/bytes/\#(1000 + i)"]}"#)
                }
                if i % 2 == 0 { try await Task.sleep(for: .milliseconds(4)) }
            }
        }
        // Kill at random moments while drops arrive and are processed, restarting each time.
        while kills < 8 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...120)))
            watch.kill(SIGKILL)
            watch.process.waitUntilExit()
            kills += 1
            watch = try SluiceProcess(arguments)
        }
        try await dropper.value
        let total = uploads + downloads
        let settled = root.wait(timeout: 60) {
            root.list("outbox/receipts").count == total && visibleInbox(root).isEmpty
                && ((try? catalogueFiles(root))?.allSatisfy { $0.status == .ready } ?? false)
        }
        watch.stop()
        #expect(settled, "all drops settle after \(kills) kills: \(root.list("outbox/receipts").count) receipts")

        // Exactly one receipt per drop.
        var expected = Set((0..<uploads).map { "u-\($0).txt.json" })
        expected.formUnion((uploads..<total).map { "d-\($0).json" })
        #expect(Set(root.list("outbox/receipts")) == expected)
        // Exactly one File per upload and per URL, each stored once with its own bytes.
        let files = try catalogueFiles(root)
        #expect(files.count == total)
        let names = files.map(\.name)
        #expect(Set(names).count == names.count, "no drop applied twice")
        for i in 0..<uploads {
            let receipt = try #require(root.json("outbox/receipts/u-\(i).txt.json"))
            #expect(receipt["status"] as? Int == 200)
            let id = try #require((receipt["body"] as? [String: Any])?["id"] as? String)
            #expect(root.read("upload/text/\(id).txt") == Array("drop-\(i)".utf8), "u-\(i).txt stored once, intact")
        }
        #expect(root.list("upload/text").count == uploads)
        #expect(root.list("upload/application").count == downloads)
        for file in files where file.url != nil {
            #expect(file.size == Int(file.url!.split(separator: "/").last!)!, "\(file.url!) downloaded whole")
        }
        // Nothing left claimed or half-written.
        #expect(root.list("inbox/.work").allSatisfy { root.list("inbox/.work/" + $0).isEmpty })
        #expect(root.list("upload/.part").isEmpty)
        #expect(root.list("outbox/files").filter { $0.hasPrefix(".tmp") }.isEmpty)
        #expect(root.json("outbox/files/index.json")?["count"] as? Int == total)
    }

    @Test func floodBeyondTheKernelQueueWithTwoWatchersAndARun() async throws {
        let queue = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "16384") ?? 16384
        let n = queue + 1000
        let root = TemporaryRoot("e2e-flood")
        defer { root.remove() }
        let staging = root.path + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for i in 0..<n {
            guard FileManager.default.createFile(atPath: staging + "/f-\(i).txt", contents: Data("flood \(i)".utf8)) else {
                Issue.record("could not stage f-\(i).txt"); return
            }
        }
        let a = try SluiceProcess(["watch", "--root", root.path])
        let b = try SluiceProcess(["watch", "--root", root.path])
        #expect(root.wait { root.list("inbox/.work").count == 2 }, "both watchers started")
        try await Task.sleep(for: .milliseconds(300))
        // Stopped watchers cannot read their inotify queues: the kernel queue overflows while the drops land.
        a.kill(SIGSTOP); b.kill(SIGSTOP)
        for i in 0..<n { #expect(rename(staging + "/f-\(i).txt", root.path + "/inbox/f-\(i).txt") == 0) }
        let run = try SluiceProcess(["run", "--root", root.path])
        a.kill(SIGCONT); b.kill(SIGCONT)
        let done = root.wait(timeout: 240) { root.list("outbox/receipts").count == n && visibleInbox(root).isEmpty }
        run.process.waitUntilExit()
        a.stop(); b.stop()
        #expect(done, "\(root.list("outbox/receipts").count) of \(n) receipts")
        #expect(run.process.terminationStatus == 0)
        let files = try catalogueFiles(root)
        #expect(files.count == n, "each drop catalogued once")
        #expect(Set(files.map(\.name)).count == n)
        #expect(root.list("upload/text").count == n)
        #expect(root.json("outbox/files/index.json")?["count"] as? Int == n)
        // Listing pages cover every file once.
        let pages = root.list("outbox/files").filter { $0.hasPrefix("page-") }
        var listed = 0
        for page in pages { listed += (root.json("outbox/files/" + page)?["files"] as? [Any])?.count ?? 0 }
        #expect(listed == n)
    }
}
