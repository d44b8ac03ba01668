import Catalogue
import Foundation
import SluiceCore
import Testing
import TestSupport

/// Every kind of stop is survivable: afterwards a restart or a `run` finishes every job once, and nothing waits forever.
@Suite(.serialized) struct StopAndRestartTests {
    /// The catalogue's Files and jobs, read-only.
    func snapshot(_ root: TemporaryRoot) throws -> (files: [FileRecord], jobs: Int, owners: [String]) {
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite", readOnly: true)
        return try catalogue.read { (try $0.files(afterSeq: 0, limit: 1_000_000), try $0.unfinishedJobCount(), try $0.jobOwners()) }
    }

    func ids(_ root: TemporaryRoot, receipt: String) -> [String] {
        ((root.json("outbox/receipts/" + receipt)?["body"] as? [String: Any])?["files"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String }
    }

    func status(_ root: TemporaryRoot, _ id: String) -> String? { root.json("outbox/files/\(id).json")?["status"] as? String }

    @Test func sigtermAndSigintMidDownloadHandJobsBackAndARunFinishesThem() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-stop")
        defer { root.remove() }
        // 20 transfers of 1.5 s each, 4 at a time: every stop below comes while some run and others wait.
        let urls = (0..<20).map { "\"\(server.base)/slow/1500/\(1000 + $0)\"" }.joined(separator: ",")
        try root.drop("slow.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        for signal in [SIGTERM, SIGINT] {
            let watch = try SluiceProcess(["watch", "--root", root.path, "--per-host", "4"])
            #expect(root.wait { ids(root, receipt: "slow.json").contains { status(root, $0) == "downloading" } },
                    "transfers are running when the stop comes")
            watch.kill(signal)
            #expect(watch.wait(timeout: 10), "a stop is prompt")
            #expect(watch.process.terminationStatus == 0, "a clean stop is a clean exit: \(watch.errorOutput)")
            let after = try snapshot(root)
            #expect(after.owners.isEmpty, "every job was handed back: \(after.owners)")
            #expect(!after.files.contains { $0.status == .downloading }, "no File is left downloading")
            #expect(root.wait { ids(root, receipt: "slow.json").allSatisfy { status(root, $0) != "downloading" } },
                    "the outbox shows the hand-back")
            #expect(root.list("inbox/.work").isEmpty, "a clean stop leaves no work folder")
        }
        let started = Date()
        let run = try SluiceProcess(["run", "--root", root.path, "--per-host", "16"])
        #expect(run.wait(timeout: 60), "run ends in bounded time")
        #expect(run.process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(started) < 30)
        let done = try snapshot(root)
        #expect(done.files.count == 20 && done.files.allSatisfy { $0.status == .ready }, "\(done.files.map(\.status))")
        #expect(done.jobs == 0)
        for file in done.files { #expect(file.size == Int(file.url!.split(separator: "/").last!)!, "\(file.url!) downloaded whole") }
        #expect(root.list("upload/application").count == 20, "each stored once")
        #expect(ids(root, receipt: "slow.json").allSatisfy { status(root, $0) == "ready" })
    }

    @Test func aRunStoppedBySignalHandsBackAndExitsThree() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-run-stop")
        defer { root.remove() }
        let urls = (0..<6).map { "\"\(server.base)/slow/3000/\(100 + $0)\"" }.joined(separator: ",")
        try root.drop("slow.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        let run = try SluiceProcess(["run", "--root", root.path])
        #expect(root.wait { ids(root, receipt: "slow.json").contains { status(root, $0) == "downloading" } })
        run.kill(SIGTERM)
        #expect(run.wait(timeout: 10))
        #expect(run.process.terminationStatus == 3, "interrupted, not completed")
        #expect(run.standardOutput.contains("interrupted"))
        #expect(try snapshot(root).owners.isEmpty)
        let again = try SluiceProcess.run(["run", "--root", root.path])
        #expect(again.status == 0)
        #expect(try snapshot(root).files.allSatisfy { $0.status == .ready })
    }

    @Test func jobsOfAKilledProcessAreReleasedWhateverBecameOfItsWorkFolder() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-orphans")
        defer { root.remove() }
        let urls = (0..<4).map { "\"\(server.base)/slow/2000/\(200 + $0)\"" }.joined(separator: ",")
        try root.drop("slow.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        let watch = try SluiceProcess(["watch", "--root", root.path])
        #expect(root.wait { ids(root, receipt: "slow.json").contains { status(root, $0) == "downloading" } })
        watch.kill(SIGKILL)
        watch.process.waitUntilExit()
        #expect(try !snapshot(root).owners.isEmpty, "a kill -9 hands nothing back")
        // Its work folder is gone too (cleaned by hand, or never there): its jobs are still taken over.
        try FileManager.default.removeItem(atPath: root.path + "/inbox/.work")
        let run = try SluiceProcess(["run", "--root", root.path])
        #expect(run.wait(timeout: 60), "run ends in bounded time")
        #expect(run.process.terminationStatus == 0)
        let done = try snapshot(root)
        #expect(done.files.count == 4 && done.files.allSatisfy { $0.status == .ready }, "\(done.files.map(\.status))")
        #expect(done.jobs == 0)
    }

    @Test func aDownloadWhoseProcessKeepsDyingEndsInErrorInsteadOfLooping() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-poison")
        defer { root.remove() }
        try root.drop("slow.json", json: #"{"op": "download", "url_list": ["\#(server.base)/slow/5000/10"]}"#)
        // Each process that takes it is killed mid-transfer (as an OOM killer or a stop timeout would).
        for _ in 0..<2 {
            let watch = try SluiceProcess(["watch", "--root", root.path, "--attempts", "2"])
            // This process holds the job, and its transfer runs.
            let mine = "\(watch.process.processIdentifier)-"
            #expect(root.wait {
                guard let now = try? snapshot(root) else { return false }
                return now.owners.count == 1 && now.owners[0].hasPrefix(mine) && now.files.first?.status == .downloading
            })
            watch.kill(SIGKILL)
            watch.process.waitUntilExit()
        }
        let run = try SluiceProcess.run(["run", "--root", root.path, "--attempts", "2"])
        #expect(run.status == 0)
        let file = try #require(try snapshot(root).files.first)
        #expect(file.status == .error)
        #expect(file.error?.hasPrefix("abandoned after 2 attempts") == true, "\(file.error ?? "")")
        #expect(try snapshot(root).jobs == 0)
    }

    @Test func aWatchTakesOverTheJobsOfAProcessThatDiesBesideIt() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-peer")
        defer { root.remove() }
        let survivor = try SluiceProcess(["watch", "--root", root.path])
        defer { survivor.stop() }
        #expect(root.wait { root.list("inbox/.work").count == 1 })
        try await Task.sleep(for: .milliseconds(500)) // past its start-up recovery: it holds no lock when stopped
        let urls = (0..<3).map { "\"\(server.base)/slow/1000/\(300 + $0)\"" }.joined(separator: ",")
        // The second watcher claims the drop's jobs, then dies; the first takes them over without a restart.
        survivor.kill(SIGSTOP)
        let victim = try SluiceProcess(["watch", "--root", root.path])
        try root.drop("peer.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        #expect(root.wait { ids(root, receipt: "peer.json").contains { status(root, $0) == "downloading" } })
        victim.kill(SIGKILL)
        victim.process.waitUntilExit()
        survivor.kill(SIGCONT)
        #expect(root.wait(timeout: 30) { ids(root, receipt: "peer.json").allSatisfy { status(root, $0) == "ready" } })
        #expect(try snapshot(root).jobs == 0)
    }

    @Test func aBacklogOfSlowTransfersCostsLittleCPU() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-backlog")
        defer { root.remove() }
        // 128 transfers of 1.5 s, 16 at a time: most of the run is waiting, with more jobs due than it may start.
        // (The busy waiting this guards against burned CPU for as long as jobs waited: about half the wall time. The
        // work proper, about 6 ms of CPU a download in a debug build, stays well under the bound.)
        let urls = (0..<128).map { "\"\(server.base)/slow/1500/\(100 + $0)\"" }.joined(separator: ",")
        try root.drop("backlog.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        let started = Date()
        let (status, cpu) = try SluiceProcess.runMeasuringCPU(["run", "--root", root.path, "--concurrency", "16", "--per-host", "16"])
        let wall = Date().timeIntervalSince(started)
        #expect(status == 0)
        #expect(try snapshot(root).files.filter { $0.status == .ready }.count == 128)
        #expect(wall >= 12, "eight rounds of 1.5 s")
        #expect(cpu < 0.2 * wall, "waiting costs no CPU: \(cpu) s of CPU in \(wall) s")
    }

    @Test func aRenameMadeDuringADownloadSurvivesIt() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-rename")
        defer { root.remove() }
        let watch = try SluiceProcess(["watch", "--root", root.path])
        defer { watch.stop() }
        try root.drop("get.json", json: #"{"op": "download", "url_list": ["\#(server.base)/slow/2000/4321"]}"#)
        #expect(root.wait { ids(root, receipt: "get.json").first.map { status(root, $0) == "downloading" } ?? false })
        let id = try #require(ids(root, receipt: "get.json").first)
        try root.drop("rename.json", json: #"{"op": "file.update", "id": "\#(id)", "name": "mine.bin", "comment": "renamed mid-flight"}"#)
        #expect(root.wait { root.json("outbox/receipts/rename.json") != nil })
        #expect((root.json("outbox/receipts/rename.json")?["body"] as? [String: Any])?["name"] as? String == "mine.bin")
        #expect(root.wait { status(root, id) == "ready" })
        let file = try #require(root.json("outbox/files/\(id).json"))
        #expect(file["name"] as? String == "mine.bin", "the download's result did not undo the rename")
        #expect(file["comment"] as? String == "renamed mid-flight")
        #expect(file["size"] as? Int == 4321)
        #expect(root.read("upload/application/\(id)") == LocalHTTPServer.pattern(4321), "stored under its source's extension (none)")
    }

    @Test func aCommitThatFailsOnceLosesNoResult() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-fail-commit")
        defer { root.remove() }
        let urls = (0..<5).map { "\"\(server.base)/bytes/\(500 + $0)\"" }.joined(separator: ",")
        try root.drop("get.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        let run = try SluiceProcess.run(["run", "--root", root.path], environment: ["SLUICE_FAULTS": "download.commit=fail"])
        #expect(run.status == 0)
        #expect(run.err.contains("injected fault at download.commit"), "the fault fired: \(run.err)")
        let done = try snapshot(root)
        #expect(done.files.count == 5 && done.files.allSatisfy { $0.status == .ready }, "\(done.files.map(\.status))")
        #expect(root.list("upload/application").count == 5)
    }

    @Test func aCrashAfterACommitBeforeTheDropIsMovedOnAppliesItOnce() async throws {
        let root = TemporaryRoot("e2e-crash-commit")
        defer { root.remove() }
        try root.drop("note.txt", Array("an upload".utf8))
        try root.drop("delete.json", json: #"{"op": "file.delete", "id": "00000000-0000-4000-8000-000000000000"}"#)
        let crashing = try SluiceProcess(["watch", "--root", root.path], environment: ["SLUICE_FAULTS": "ingest.after-commit=crash"])
        #expect(crashing.wait(timeout: 10))
        #expect(crashing.process.terminationReason == .uncaughtSignal, "it died at the fault point")
        #expect(root.list("inbox/.work").count == 1 && !root.list("inbox/.work/" + root.list("inbox/.work")[0]).isEmpty,
                "committed drops are still claimed")
        let run = try SluiceProcess.run(["run", "--root", root.path])
        #expect(run.status == 0)
        #expect(run.out.contains("0 drops handled"), "nothing was applied again: \(run.out)")
        #expect(root.json("outbox/receipts/note.txt.json")?["status"] as? Int == 200)
        #expect(root.json("outbox/receipts/delete.json")?["status"] as? Int == 404)
        #expect(root.list("upload/text").count == 1)
        #expect(try snapshot(root).files.count == 1)
        #expect(root.list("inbox/.done").count == 1)
        #expect(root.list("inbox/.work").allSatisfy { root.list("inbox/.work/" + $0).isEmpty })
    }

    @Test func aCrashBetweenADownloadsLinkAndItsCommitLeavesNothingBehind() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-crash-link")
        defer { root.remove() }
        let urls = (0..<3).map { "\"\(server.base)/bytes/\(700 + $0)\"" }.joined(separator: ",")
        try root.drop("get.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        let crashing = try SluiceProcess(["watch", "--root", root.path], environment: ["SLUICE_FAULTS": "download.after-link=crash"])
        #expect(crashing.wait(timeout: 10))
        #expect(crashing.process.terminationReason == .uncaughtSignal, "it died at the fault point")
        let linked = root.list("upload/application")
        let deleted = try #require(linked.first, "bytes were linked before the crash")
        // The catalogue has the request; its receipt may not be out yet (held while its downloads were settling).
        let ids = try snapshot(root).files.map(\.id).sorted()
        #expect(ids.count == 3 && ids.contains(deleted))
        // A File whose bytes were linked is deleted before anyone resumes its download: those bytes must go too.
        try root.drop("delete.json", json: #"{"op": "file.delete", "id": "\#(deleted)"}"#)
        let run = try SluiceProcess.run(["run", "--root", root.path])
        #expect(run.status == 0)
        let kept = ids.filter { $0 != deleted }.sorted()
        let done = try snapshot(root)
        #expect(done.files.map(\.id).sorted() == kept)
        #expect(done.files.allSatisfy { $0.status == .ready })
        #expect(done.jobs == 0)
        #expect(root.list("upload/application").sorted() == kept, "each stored once, the deleted one not at all")
        for file in done.files { #expect(root.read("upload/application/\(file.id)")?.count == file.size) }
        #expect(self.ids(root, receipt: "get.json").sorted() == ids, "the receipt names the three, whichever process published it")
    }

    @Test(.enabled(if: getuid() == 0, "switching users needs root"))
    func anotherUsersFileIsTakenOnlyOnceItRests() async throws {
        let root = TemporaryRoot("e2e-other-user")
        defer { root.remove() }
        // Sluice runs as nobody; the file is root's, so no lease tells whether root still writes it.
        let nobody: UInt32 = 65534
        for folder in ["", "/inbox"] { #expect(chown(root.path + folder, nobody, nobody) == 0) }
        let watch = try SluiceProcess(["watch", "--root", root.path], user: nobody)
        defer { watch.stop() }
        #expect(root.wait { root.list("inbox/.work").count == 1 }, "watch started as nobody: \(watch.process.isRunning)")
        let writer = open(root.path + "/inbox/slow copy.bin", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(writer >= 0)
        var written: [UInt8] = []
        for i in 0..<8 {
            let chunk = [UInt8](repeating: UInt8(i), count: 1000)
            #expect(write(writer, chunk, chunk.count) == chunk.count)
            written += chunk
            try await Task.sleep(for: .milliseconds(400))
        }
        close(writer)
        #expect(root.wait(timeout: 15) { root.json("outbox/receipts/slow copy.bin.json") != nil })
        let id = try #require((root.json("outbox/receipts/slow copy.bin.json")?["body"] as? [String: Any])?["id"] as? String)
        #expect(root.read("upload/application/\(id).bin") == written, "taken whole, after its writer was done")
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small file system needs root"))
    func aFullDiskIsWaitedOutAndNothingIsLost() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let root = TemporaryRoot("e2e-full")
        defer { root.remove() }
        // The whole root on an 8 MiB file system of its own.
        #expect(mount("tmpfs", root.path, "tmpfs", 0, "size=8m") == 0, "mount: \(errno)")
        defer { umount(root.path) }
        try FileManager.default.createDirectory(atPath: root.path + "/inbox", withIntermediateDirectories: true)
        let watch = try SluiceProcess(["watch", "--root", root.path, "--retry-delay", "0.2"])
        #expect(root.wait { root.list("inbox/.work").count == 1 && root.read(".sluice/catalogue.sqlite") != nil })
        try await Task.sleep(for: .milliseconds(300))
        watch.kill(SIGSTOP)
        for i in 0..<20 { try root.drop("u-\(i).txt", Array("upload \(i)".utf8)) }
        let urls = (0..<3).map { "\"\(server.base)/bytes/\(30_000 + $0)\"" }.joined(separator: ",")
        try root.drop("get.json", json: #"{"op": "download", "url_list": [\#(urls)]}"#)
        // Fill the disk to the last byte, then let the watcher try.
        let ballast = open(root.path + "/ballast", O_WRONLY | O_CREAT, 0o644)
        let chunk = [UInt8](repeating: 0, count: 16384)
        while write(ballast, chunk, chunk.count) > 0 {}
        close(ballast)
        watch.kill(SIGCONT)
        try await Task.sleep(for: .seconds(3))
        #expect(watch.process.isRunning, "a full disk is waited out, not fatal")
        #expect(root.list("outbox/receipts").count < 21, "the disk was full while it tried")
        #expect(unlink(root.path + "/ballast") == 0)
        let settled = root.wait(timeout: 40) {
            root.list("outbox/receipts").count == 21
                && ((try? snapshot(root))?.files.filter { $0.status == .ready }.count ?? 0) == 23
        }
        watch.stop()
        #expect(settled, "every drop and download finished once there was room: \(root.list("outbox/receipts").count) receipts")
        #expect(watch.process.terminationStatus == 0)
        let done = try snapshot(root)
        #expect(done.files.count == 23, "each drop applied once")
        #expect(done.jobs == 0)
        #expect(root.list("upload/text").count == 20 && root.list("upload/application").count == 3)
        #expect(root.list("inbox").filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
