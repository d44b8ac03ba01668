import Foundation
import Imaging
import SluiceCore
import Testing
import TestSupport

/// Seeds 001 and 003 through the real binary: image jobs dropped, tasks followed in the outbox and the reader,
/// results stored as Files, restarts, time limits, dying workers, and every kind of stop in the middle of processing.
@Suite(.serialized) struct ImageTasksFlowTests {
    func results(_ root: TemporaryRoot, _ receipt: String) -> [[String: Any]] {
        root.json("outbox/receipts/" + receipt)?["results"] as? [[String: Any]] ?? []
    }

    func body(_ root: TemporaryRoot, _ receipt: String) -> [String: Any] {
        root.json("outbox/receipts/" + receipt)?["body"] as? [String: Any] ?? [:]
    }

    func gradient(_ width: Int, _ height: Int) throws -> GDImage {
        let image = try GDImage(width: width, height: height)
        for y in stride(from: 0, to: height, by: 10) {
            image.fillRectangle(x1: 0, y1: y, x2: width - 1, y2: min(height, y + 10) - 1, red: y * 255 / height, green: 100, blue: 255 - y * 255 / height)
        }
        return image
    }

    func task(_ root: TemporaryRoot, _ id: String) -> [String: Any]? { root.json("outbox/tasks/\(id).json") }

    func status(_ root: TemporaryRoot, _ id: String) -> String? { task(root, id)?["status"] as? String }

    /// Drops an `image.job` of one file to a running daemon and returns its task's id, once its receipt is out.
    func queueTask(_ root: TemporaryRoot, _ name: String, _ request: String) throws -> String {
        try root.drop(name, json: request)
        #expect(root.wait { root.json("outbox/receipts/\(name)") != nil })
        return try #require((body(root, name)["task_ids"] as? [String])?.first, "no task id in \(name)'s receipt")
    }

    /// Uploads `files` (name → bytes) and returns their File ids by name.
    func upload(_ root: TemporaryRoot, _ files: [String: [UInt8]]) throws -> [String: String] {
        for (name, bytes) in files { try root.drop(name, bytes) }
        #expect(root.wait { files.keys.allSatisfy { root.json("outbox/receipts/\($0).json") != nil } })
        var ids: [String: String] = [:]
        for name in files.keys { ids[name] = body(root, name + ".json")["id"] as? String }
        return ids
    }

    @Test func jobsStatusResultsAndRestartThroughTheReader() async throws {
        let root = TemporaryRoot("e2e-tasks")
        defer { root.remove() }
        let port = HTTPClient.freePort()
        let up = try SluiceProcess(["up", "--root", root.path, "--port", "\(port)"])
        defer { up.stop() }
        #expect(await HTTPClient.waitForReader(port: port))

        let photo = try gradient(300, 200).jpeg(quality: 90)
        var huge = Array(try gradient(4, 4).png().prefix(33))
        huge.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
        let ids = try upload(root, ["photo.jpg": photo, "notes.txt": Array("just text".utf8), "empty.png": [],
                                    "truncated.jpg": Array(photo.prefix(photo.count / 2)), "huge.png": huge])
        let source = try #require(ids["photo.jpg"])
        let unknown = Identifier.make()
        try root.drop("jobs.json", json: """
            [{"op": "image.job", "file_ids": ["\(source)", "\(source)"], "algorithm": "resize", "params": {"width": 64, "height": 64}},
             {"op": "image.job", "file_ids": ["\(source)"], "algorithm": "resize", "params": {"width": 50, "height": 50, "fit": "cover", "format": "png"}},
             {"op": "image.job", "file_ids": ["\(source)"], "algorithm": "flip", "params": null},
             {"op": "image.job", "file_ids": ["\(source)"], "algorithm": "pipeline", "params": {"steps": [{"algorithm": "rotate", "params": {"degrees": 90}}, {"algorithm": "grayscale"}], "format": "webp"}},
             {"op": "image.job", "file_ids": ["\(source)"], "algorithm": "crop", "params": {"x": 250, "y": 0, "width": 100, "height": 10}},
             {"op": "image.job", "file_ids": ["\(source)"], "algorithm": "sepia"},
             {"op": "image.job", "file_ids": [], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(unknown)"], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(ids["notes.txt"]!)"], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(ids["empty.png"]!)"], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(ids["truncated.jpg"]!)"], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(ids["huge.png"]!)"], "algorithm": "flip"},
             {"op": "image.job", "file_ids": ["\(source)", "\(unknown)"], "algorithm": "flip"}]
            """)
        #expect(root.wait { root.json("outbox/receipts/jobs.json") != nil })
        let answers = results(root, "jobs.json")
        #expect(answers.map { $0["status"] as? Int } == [200, 200, 200, 200, 200, 422, 422, 404, 422, 422, 422, 422, 404])
        func errors(_ i: Int) -> [String: [String]] { (answers[i]["body"] as? [String: Any])?["errors"] as? [String: [String]] ?? [:] }
        #expect(errors(5)["algorithm"]?.first?.hasPrefix(#"unknown algorithm "sepia""#) == true)
        #expect(errors(8)["file_ids.0"]?.first?.contains("the bytes are text/plain") == true)
        #expect(errors(9)["file_ids.0"]?.first?.contains("empty (0 bytes)") == true)
        #expect(errors(10)["file_ids.0"]?.first?.contains("truncated") == true)
        #expect(errors(11)["file_ids.0"]?.first?.contains("100000×100000") == true)
        #expect(errors(12)["file_ids.1"] != nil, "one unknown file fails the whole request")
        // The browse page's summary of recent receipts: this batch, its first refusal and how many were refused.
        #expect(root.wait {
            let recent = root.json("outbox/recent-receipts.json")?["receipts"] as? [[String: Any]]
            return recent?.first { $0["name"] as? String == "jobs.json" }.map {
                $0["status"] as? Int == 422 && $0["refused"] as? Int == 8 && $0["results"] as? Int == 13
                    && ($0["error"] as? String)?.hasPrefix("The request is invalid") == true && $0["receipt"] as? String == "receipts/jobs.json"
            } ?? false
        })
        let taskIDs = answers.prefix(5).flatMap { (($0["body"] as? [String: Any])?["task_ids"] as? [String]) ?? [] }
        #expect(taskIDs.count == 6 && Set(taskIDs).count == 6, "one task per file named")
        #expect(root.wait(timeout: 30) { taskIDs.allSatisfy { ["finished", "error"].contains(status(root, $0)) } })
        #expect(taskIDs.map { status(root, $0) } == ["finished", "finished", "finished", "finished", "finished", "error"])

        // Each finished task: its result image in the outbox and from the reader, and the result a File of its own.
        let expected: [(Int, Int, String)] = [(64, 43, "jpg"), (64, 43, "jpg"), (50, 50, "png"), (300, 200, "jpg"), (200, 300, "webp")]
        for (id, (width, height, ext)) in zip(taskIDs, expected) {
            let published = try #require(task(root, id))
            #expect(published["source_id"] as? String == source && published["updated_at"] is String && published["error"] is NSNull)
            #expect(published["result_path"] as? String == "results/\(id).\(ext)")
            let bytes = try #require(root.read("outbox/results/\(id).\(ext)"))
            #expect(ImageHeader.read(bytes) == ImageHeader(width: width, height: height), "\(id): \(width)×\(height)")
            let served = try await HTTPClient.request("http://127.0.0.1:\(port)/result/\(id)")
            #expect(served.status == 200 && served.body == bytes && served.headers["content-type"] == "image/\(ext == "jpg" ? "jpeg" : ext)")
            let state = try await HTTPClient.request("http://127.0.0.1:\(port)/status/\(id)")
            #expect(String(decoding: state.body, as: UTF8.self) == #"{"status":"ready"}"#)
            let resultID = try #require(published["result_id"] as? String)
            let file = try #require(root.json("outbox/files/\(resultID).json"))
            #expect(file["status"] as? String == "ready" && (file["name"] as? String)?.hasPrefix("photo-") == true)
            #expect(root.read("upload/image/\(resultID).\(ext)") == bytes, "stored under upload/image/ (seed 002's sorting)")
        }
        #expect((task(root, taskIDs[0])?["params"] as? [String: Int]) == ["width": 64, "height": 64], "params as given")
        #expect(task(root, taskIDs[3])?["params"] is NSNull, "flip with \"params\": null")

        // The crop outside the image ended in error, with its reason, everywhere it shows.
        let failed = taskIDs[5]
        #expect((task(root, failed)?["error"] as? String)?.contains("outside the 300×200 image") == true)
        let failedStatus = try await HTTPClient.request("http://127.0.0.1:\(port)/status/\(failed)")
        #expect((try JSONSerialization.jsonObject(with: Data(failedStatus.body)) as? [String: String])?["status"] == "error")
        #expect(try await HTTPClient.request("http://127.0.0.1:\(port)/result/\(failed)").status == 409)
        #expect(try await HTTPClient.request("http://127.0.0.1:\(port)/result/\(unknown)").status == 404)
        #expect(try await HTTPClient.request("http://127.0.0.1:\(port)/status/\(unknown)").status == 404)
        #expect(try await HTTPClient.request("http://127.0.0.1:\(port)/task/\(taskIDs[1])").status == 200)
        let listed = try await HTTPClient.request("http://127.0.0.1:\(port)/tasks?per_page=4")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.body)) as? [String: [[String: Any]]])
        #expect(page["tasks"]?.compactMap { $0["id"] as? String } == Array(taskIDs.prefix(4)))
        let next = try await HTTPClient.request("http://127.0.0.1:\(port)/tasks?per_page=4&show_after_id=\(taskIDs[3])")
        #expect((try JSONSerialization.jsonObject(with: Data(next.body)) as? [String: [[String: Any]]])?["tasks"]?.count == 2)
        #expect(root.json("outbox/tasks/index.json")?["count"] as? Int == 6)

        // Restart: only a task in error (409 otherwise, 404 unknown); it runs again and ends as before.
        try root.drop("restart.json", json: """
            [{"op": "task.restart", "id": "\(failed)"}, {"op": "task.restart", "id": "\(taskIDs[0])"}, {"op": "task.restart", "id": "\(unknown)"}]
            """)
        #expect(root.wait { root.json("outbox/receipts/restart.json") != nil })
        let restarted = results(root, "restart.json")
        #expect(restarted.map { $0["status"] as? Int } == [200, 409, 404])
        #expect((restarted.first?["body"] as? [String: Any])?["status"] as? String == "pending")
        // The receipt is published after the task's pending object: an error seen now is the second run's, with the same reason.
        #expect(root.wait(timeout: 20) {
            status(root, failed) == "error" && (task(root, failed)?["error"] as? String)?.contains("outside the 300×200 image") == true
        })

        // Deleting a result File leaves its task finished, without a result, here and in the outbox.
        let deleted = try #require(task(root, taskIDs[1])?["result_id"] as? String)
        try root.drop("delete.json", json: #"{"op": "file.delete", "id": "\#(deleted)"}"#)
        #expect(root.wait { task(root, taskIDs[1])?["result_id"] is NSNull })
        #expect(root.wait { root.read("outbox/results/\(taskIDs[1]).jpg") == nil })
        #expect(try await HTTPClient.request("http://127.0.0.1:\(port)/result/\(taskIDs[1])").status == 404)
    }

    @Test func aTaskPastItsTimeLimitEndsInErrorAndARestartFinishesIt() throws {
        let root = TemporaryRoot("e2e-timeout")
        defer { root.remove() }
        try root.drop("big.png", try gradient(1500, 1500).png())
        let first = try SluiceProcess.run(["run", "--root", root.path])
        #expect(first.status == 0)
        let source = try #require(body(root, "big.png.json")["id"] as? String)
        try root.drop("blur.json", json: #"{"op": "image.job", "file_ids": ["\#(source)"], "algorithm": "blur", "params": {"sigma": 6}}"#)
        // A limit no blur of 2.25 megapixels meets: the worker is stopped, the task ends in error, and `run` ends.
        let strict = try SluiceProcess.run(["run", "--root", root.path, "--task-timeout", "0.001"])
        #expect(strict.status == 0, "\(strict.err)")
        let id = try #require((body(root, "blur.json")["task_ids"] as? [String])?.first)
        #expect(status(root, id) == "error")
        #expect((task(root, id)?["error"] as? String)?.contains("took longer than the time limit") == true)
        // Restarted under the default limit, it finishes.
        try root.drop("again.json", json: #"{"op": "task.restart", "id": "\#(id)"}"#)
        let again = try SluiceProcess.run(["run", "--root", root.path])
        #expect(again.status == 0 && status(root, id) == "finished")
        #expect(task(root, id)?["error"] is NSNull)
    }

    /// The image workers of the running `sluice` with pid `parent`.
    func workers(of parent: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(parent)/task")) ?? []
        return tasks.flatMap { tid -> [Int32] in
            let children = (try? String(contentsOfFile: "/proc/\(parent)/task/\(tid)/children", encoding: .utf8)) ?? ""
            return children.split(separator: " ").compactMap { Int32($0) }
        }
    }

    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ") // a zombie is gone, only not yet reaped
    }

    @Test func aWorkerThatDiesTakesOnlyItsTaskDown() throws {
        let root = TemporaryRoot("e2e-worker-dies")
        defer { root.remove() }
        let watch = try SluiceProcess(["watch", "--root", root.path, "--image-workers", "1"])
        defer { watch.stop() }
        let ids = try upload(root, ["big.png": try gradient(2000, 1500).png(), "small.png": try gradient(40, 30).png()])
        let slow = try queueTask(root, "slow.json", #"{"op": "image.job", "file_ids": ["\#(ids["big.png"]!)"], "algorithm": "blur", "params": {"sigma": 20}}"#)
        #expect(root.wait(timeout: 20) { status(root, slow) == "processing" })
        let children = workers(of: watch.process.processIdentifier)
        #expect(children.count == 1)
        for child in children {
            // Set by the worker as it starts, which may be a moment after its task is marked processing.
            #expect(root.wait(timeout: 5) {
                (try? String(contentsOfFile: "/proc/\(child)/oom_score_adj", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "1000"
            }, "out of memory, the worker goes first")
        }
        for child in children { kill(child, SIGKILL) }
        #expect(root.wait(timeout: 20) { status(root, slow) == "error" })
        #expect((task(root, slow)?["error"] as? String)?.contains("the image worker died (signal 9") == true)
        // The daemon goes on, with a new worker.
        let quick = try queueTask(root, "quick.json", #"{"op": "image.job", "file_ids": ["\#(ids["small.png"]!)"], "algorithm": "negate"}"#)
        #expect(root.wait(timeout: 20) { status(root, quick) == "finished" })
        // A worker killed while it waits is no task's failure: the next task gets a new one and finishes.
        let waiting = workers(of: watch.process.processIdentifier)
        #expect(waiting.count == 1)
        for child in waiting { kill(child, SIGKILL) }
        #expect(root.wait(timeout: 5) { !waiting.contains(where: isAlive) })
        let after = try queueTask(root, "after.json", #"{"op": "image.job", "file_ids": ["\#(ids["small.png"]!)"], "algorithm": "grayscale"}"#)
        #expect(root.wait(timeout: 20) { status(root, after) == "finished" }, "\(task(root, after)?["error"] ?? "")")
        #expect(watch.process.isRunning)
    }

    /// Every task finished once: a result File each, no other stored image, no result twice.
    func expectEveryTaskFinishedOnce(_ root: TemporaryRoot, _ ids: [String], source: String) {
        #expect(ids.allSatisfy { status(root, $0) == "finished" }, "\(ids.map { status(root, $0) ?? "none" })")
        let results = ids.compactMap { task(root, $0)?["result_id"] as? String }
        #expect(Set(results).count == ids.count)
        let stored = root.list("upload/image").filter { !$0.hasPrefix(".") }
        #expect(stored.count == ids.count + 1, "the source and one result per task, no orphan: \(stored.count)")
        #expect(Set(stored.map { String($0.prefix(36)) }) == Set(results + [source]))
        let resultFiles = root.list("outbox/files").filter { $0.hasSuffix(".json") && !$0.hasPrefix("page-") && $0 != "index.json" }
            .compactMap { root.json("outbox/files/" + $0) }.filter { ($0["comment"] as? String)?.hasPrefix("result of task") == true }
        #expect(resultFiles.count == ids.count, "one result File per task")
        #expect(root.list("outbox/results").filter { !$0.hasPrefix(".") }.count == ids.count)
        #expect(root.list("upload/.part").filter { $0.contains("task") }.isEmpty, "no leftover result being written")
    }

    @Test(arguments: [SIGKILL, SIGTERM]) func aStopDuringProcessingFinishesEveryTaskOnceAfterARestart(signal: Int32) throws {
        let root = TemporaryRoot("e2e-task-stop")
        defer { root.remove() }
        let watch = try SluiceProcess(["watch", "--root", root.path])
        let ids = try upload(root, ["big.png": try gradient(1600, 1200).png()])
        let source = try #require(ids["big.png"])
        try root.drop("jobs.json", json: """
            {"op": "image.job", "file_ids": [\(Array(repeating: "\"\(source)\"", count: 6).joined(separator: ","))], "algorithm": "blur", "params": {"sigma": 10}}
            """)
        #expect(root.wait { root.json("outbox/receipts/jobs.json") != nil })
        let tasks = try #require(body(root, "jobs.json")["task_ids"] as? [String])
        #expect(root.wait(timeout: 20) { tasks.contains { status(root, $0) == "processing" } })
        let children = workers(of: watch.process.processIdentifier)
        #expect(!children.isEmpty)
        watch.kill(signal)
        #expect(watch.wait(timeout: 10), "a stop does not wait for the tasks under way")
        // The workers go with it, whatever stopped it.
        #expect(root.wait(timeout: 5) { !children.contains(where: isAlive) })
        if signal == SIGTERM {
            #expect(!tasks.contains { status(root, $0) == "processing" }, "handed back: pending again, or finished")
        }
        let rerun = try SluiceProcess.run(["run", "--root", root.path])
        #expect(rerun.status == 0, "\(rerun.err)")
        expectEveryTaskFinishedOnce(root, tasks, source: source)
    }

    /// A small PNG uploaded and stored by a `run`; its File's id.
    func storedImage(_ root: TemporaryRoot) throws -> String {
        try root.drop("small.png", try gradient(60, 40).png())
        _ = try SluiceProcess.run(["run", "--root", root.path])
        return try #require(body(root, "small.png.json")["id"] as? String)
    }

    @Test func aFailedCommitKeepsTheResultsForTheNextStep() throws {
        let root = TemporaryRoot("e2e-task-fail")
        defer { root.remove() }
        let source = try storedImage(root)
        try root.drop("jobs.json", json: #"{"op": "image.job", "file_ids": ["\#(source)", "\#(source)", "\#(source)"], "algorithm": "negate"}"#)
        // The step after the results are linked fails once (as a busy catalogue would); the same run commits them.
        let failing = try SluiceProcess.run(["run", "--root", root.path], environment: ["SLUICE_FAULTS": "image.after-link=fail"])
        #expect(failing.status == 0, "\(failing.err)")
        #expect(failing.err.contains("injected fault"), "the failure happened and was retried")
        let tasks = try #require(body(root, "jobs.json")["task_ids"] as? [String])
        expectEveryTaskFinishedOnce(root, tasks, source: source)
    }

    @Test func aCrashBetweenLinkingAResultAndCommittingItLeavesNoOrphan() throws {
        let root = TemporaryRoot("e2e-task-crash")
        defer { root.remove() }
        let source = try storedImage(root)
        try root.drop("jobs.json", json: #"{"op": "image.job", "file_ids": ["\#(source)", "\#(source)"], "algorithm": "negate"}"#)
        let crashed = try SluiceProcess.run(["run", "--root", root.path], environment: ["SLUICE_FAULTS": "image.after-link=crash"])
        #expect(crashed.status != 0, "killed at the fault point")
        let rerun = try SluiceProcess.run(["run", "--root", root.path])
        #expect(rerun.status == 0, "\(rerun.err)")
        let tasks = try #require(body(root, "jobs.json")["task_ids"] as? [String])
        expectEveryTaskFinishedOnce(root, tasks, source: source)
    }
}

/// A decompression bomb given straight to `sluice image-worker`: refused from its header, in a process whose memory
/// stays near its start; the same bytes with the limit raised show what the refusal saves.
@Suite struct DecompressionBombTests {
    /// Runs one request through a fresh worker; its answer and its peak memory (MiB).
    func ask(_ request: String, limits: [String]) throws -> (answer: [String: Any], peakMiB: Double) {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        posix_spawn_file_actions_addclose(&actions, pair[0])
        let argv = ([SluiceProcess.binary, "image-worker"] + limits).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, SluiceProcess.binary, &actions, nil, argv, environ) == 0)
        close(pair[1])
        let line = Array((request + "\n").utf8)
        #expect(line.withUnsafeBytes { write(pair[0], $0.baseAddress, $0.count) } == line.count)
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !answer.contains(0x0A) {
            let n = chunk.withUnsafeMutableBytes { read(pair[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            answer += chunk[..<n]
        }
        // Its high-water mark while it waits for the next request (not wait4's ru_maxrss: a child spawned with vfork
        // starts from its parent's, this test runner's, mark).
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? .infinity
        close(pair[0]) // the worker ends at the end of its input
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) < 0 && errno == EINTR {}
        let json = try JSONSerialization.jsonObject(with: Data(answer.prefix { $0 != 0x0A })) as? [String: Any] ?? [:]
        return (json, hwm / 1024)
    }

    @Test func aBombIsRefusedFromItsHeaderWithoutTheMemory() throws {
        let root = TemporaryRoot("bomb")
        defer { root.remove() }
        let bomb = PNGBomb.make(width: 10_000, height: 10_000)
        #expect(bomb.count < 100_000, "\(bomb.count) bytes that decode to 100 megapixels")
        #expect(ImageHeader.read(bomb) == ImageHeader(width: 10_000, height: 10_000))
        try Data(bomb).write(to: URL(fileURLWithPath: root.path + "/bomb.png"))
        let request = #"{"source": "\#(root.path)/bomb.png", "mime": "image/png", "output": "\#(root.path)/out.png", "algorithm": "crop", "params": {"x": 0, "y": 0, "width": 10, "height": 10}}"#

        let refused = try ask(request, limits: [])
        #expect((refused.answer["error"] as? String) == "10000×10000 is 100000000 pixels, over the limit of 50000000")
        #expect(refused.peakMiB < 80, "refused before decoding: \(refused.peakMiB) MiB")

        // With the limit raised, libgd decodes it: the memory the refusal saved.
        let decoded = try ask(request, limits: ["--max-image-pixels", "100000000"])
        #expect(decoded.answer["width"] as? Int == 10)
        #expect(decoded.peakMiB > 300, "decoded: \(decoded.peakMiB) MiB")
    }
}

/// A PNG of `width` × `height` black pixels (1-bit grey) whose deflate stream is almost all back-references: a few
/// tens of KB that decode to width × height pixels.
enum PNGBomb {
    static func make(width: Int, height: Int) -> [UInt8] {
        let raw = height * (1 + (width + 7) / 8) // a filter byte and the packed row, all zero
        var bits = BitWriter()
        bits.write(1, count: 1); bits.write(1, count: 2)          // the last block, fixed Huffman codes
        bits.writeCode(0x30, count: 8)                            // literal 0
        let matches = (raw - 1) / 258
        for _ in 0..<matches { bits.writeCode(0xC5, count: 8); bits.writeCode(0, count: 5) } // length 258, distance 1
        for _ in 0..<((raw - 1) % 258) { bits.writeCode(0x30, count: 8) }
        bits.writeCode(0, count: 7)                               // end of block
        let adler = UInt32(raw % 65521) << 16 | 1
        let zlib: [UInt8] = [0x78, 0x01] + bits.bytes + [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(data.count) + body + be32(Int(crc32(body)))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", be32(width) + be32(height) + [1, 0, 0, 0, 0])
            + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    /// Deflate's bit order: values least significant bit first, Huffman codes most significant bit first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 8

        mutating func write(_ value: Int, count: Int) {
            for i in 0..<count { put(value >> i & 1) }
        }

        mutating func writeCode(_ code: Int, count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { put(code >> i & 1) }
        }

        private mutating func put(_ bit: Int) {
            if used == 8 { bytes.append(0); used = 0 }
            bytes[bytes.count - 1] |= UInt8(bit) << used
            used += 1
        }
    }
}
