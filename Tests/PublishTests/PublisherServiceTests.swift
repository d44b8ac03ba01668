import Catalogue
import Foundation
import Logging
import Publish
import SluiceCore
import Testing
import TestSupport

/// `PublisherService` holding changes while the objects they touch are moving, on its own thread, as `up` runs it.
@Suite struct PublisherServiceTests {
    let executor = RequestExecutor()

    /// Downloads of `count` URLs committed as one request; their File ids, in order.
    func queueDownloads(_ count: Int, _ catalogue: SQLiteCatalogue) throws -> [String] {
        let urls = (0..<count).map { JSONValue.string("http://127.0.0.1:9/\($0)") }
        let record = try catalogue.write { tx in
            try executor.apply(Drop(requestID: Identifier.make(), name: "get.json", receivedAt: .now(),
                                    content: .document(.object([("op", .string("download")), ("url_list", .array(urls))]))), in: tx)
        }
        guard case let .array(files)? = try JSONParser.parse(record.receipt)["body"]?["files"] else { return [] }
        return files.compactMap { if case let .string(id)? = $0["id"] { id } else { nil } }
    }

    /// Runs the service until `body` returns; then stops it, which publishes what is left.
    func withService(_ root: TemporaryRoot, _ catalogue: SQLiteCatalogue, burstInterval: Double = 0.02, holdLimit: Double,
                     holdStall: Double, _ body: (PublisherService) async throws -> Void) async throws {
        let service = PublisherService(publisher: try OutboxPublisher(root: root.path, catalogue: catalogue), logger: Logger(label: "test"),
                                       burstInterval: burstInterval, holdLimit: holdLimit, holdStall: holdStall)
        let running = Task { try await service.run() }
        do { try await body(service) } catch { running.cancel(); throw error }
        running.cancel()
        try await running.value
    }

    func inode(_ root: TemporaryRoot, _ path: String) -> UInt64? {
        var info = stat()
        return stat(root.path + "/" + path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    func catalogue(_ root: TemporaryRoot) throws -> SQLiteCatalogue {
        try FileManager.default.createDirectory(atPath: root.path + "/.sluice", withIntermediateDirectories: true)
        return try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
    }

    /// Files settling one after another hold the receipt back until the last has settled; then it comes at once,
    /// and no File was ever written `pending` (each object file is the one first linked in).
    @Test func aReceiptWaitsWhileItsFilesKeepSettlingAndTheyAreWrittenOnce() async throws {
        let root = TemporaryRoot("publisher-service-settling")
        defer { root.remove() }
        let catalogue = try catalogue(root)
        try await withService(root, catalogue, holdLimit: 30, holdStall: 5) { service in
            let ids = try queueDownloads(20, catalogue)
            service.poke()
            var firstSeen: [String: UInt64] = [:]
            for (i, id) in ids.enumerated() {
                try await Task.sleep(for: .milliseconds(5))
                #expect(root.read("outbox/receipts/get.json") == nil, "held while its Files settle")
                for later in ids[i...] { #expect(root.read("outbox/files/\(later).json") == nil, "no File is written pending") }
                for earlier in ids[..<i] where firstSeen[earlier] == nil { firstSeen[earlier] = inode(root, "outbox/files/\(earlier).json") }
                _ = try catalogue.write { try $0.updateFile(id: id, stage: FileStageUpdate(status: .error, error: "refused")) }
                service.poke()
            }
            #expect(root.wait(timeout: 2) { root.read("outbox/receipts/get.json") != nil }, "published once all settled, not at the limit")
            for id in ids { #expect(root.json("outbox/files/\(id).json")?["status"] as? String == "error") }
            #expect(firstSeen.values.count >= 5, "most were written ahead while the others settled: \(firstSeen.count)")
            for (id, seen) in firstSeen { #expect(inode(root, "outbox/files/\(id).json") == seen, "written once: the file first seen is the one kept") }
        }
    }

    /// One quick download's receipt comes as soon as its File settles: the burst interval paces held passes only
    /// while commits keep arriving during them (here it is 2 s, so waiting for it could not go unseen).
    @Test func aSingleQuickDownloadIsPublishedWhenItSettlesNotAfterTheBurstInterval() async throws {
        let root = TemporaryRoot("publisher-service-quick")
        defer { root.remove() }
        let catalogue = try catalogue(root)
        try await withService(root, catalogue, burstInterval: 2, holdLimit: 30, holdStall: 30) { service in
            let ids = try queueDownloads(1, catalogue)
            service.poke()
            try await Task.sleep(for: .milliseconds(50))
            #expect(root.read("outbox/receipts/get.json") == nil, "held while its File is pending")
            _ = try catalogue.write { try $0.updateFile(id: ids[0], stage: FileStageUpdate(status: .error, error: "refused")) }
            let settled = Date()
            service.poke()
            #expect(root.wait(timeout: 5) { root.read("outbox/receipts/get.json") != nil })
            #expect(Date().timeIntervalSince(settled) < 1, "published at once, not after the burst interval")
            #expect(root.json("outbox/files/\(ids[0]).json")?["status"] as? String == "error")
        }
    }

    /// A stop (SIGTERM, the end of a run) publishes held changes at once, moving objects as they are.
    @Test func aStopPublishesWhatIsHeldAtOnce() async throws {
        let root = TemporaryRoot("publisher-service-stop")
        defer { root.remove() }
        let catalogue = try catalogue(root)
        var ids: [String] = []
        let stopped = try await withServiceStopped(root, catalogue, holdLimit: 30, holdStall: 30) { service in
            ids = try queueDownloads(3, catalogue)
            service.poke()
            try await Task.sleep(for: .milliseconds(100))
            #expect(root.read("outbox/receipts/get.json") == nil, "held: nothing settles, and the hold's limits are far")
        }
        #expect(stopped < 2, "the stop did not wait for the hold: \(stopped) s")
        #expect(root.read("outbox/receipts/get.json") != nil)
        for id in ids { #expect(root.json("outbox/files/\(id).json")?["status"] as? String == "pending") }
        #expect(try catalogue.read { try $0.publishedVersion() == $0.currentVersion() })
    }

    /// `withService`, and how long the stop took.
    func withServiceStopped(_ root: TemporaryRoot, _ catalogue: SQLiteCatalogue, holdLimit: Double, holdStall: Double,
                            _ body: (PublisherService) async throws -> Void) async throws -> Double {
        var stopping = Date()
        try await withService(root, catalogue, holdLimit: holdLimit, holdStall: holdStall) { service in
            try await body(service)
            stopping = Date()
        }
        return Date().timeIntervalSince(stopping)
    }

    /// A File that does not settle (a stalled server) holds its receipt back for the stall interval only.
    @Test func aStalledFileHoldsItsReceiptForTheStallIntervalOnly() async throws {
        let root = TemporaryRoot("publisher-service-stalled")
        defer { root.remove() }
        let catalogue = try catalogue(root)
        try await withService(root, catalogue, holdLimit: 30, holdStall: 0.2) { service in
            let started = Date()
            let ids = try queueDownloads(1, catalogue)
            service.poke()
            #expect(root.wait(timeout: 5) { root.read("outbox/receipts/get.json") != nil })
            let waited = Date().timeIntervalSince(started)
            #expect(waited >= 0.2 && waited < 5, "held for the stall interval, not the limit: \(waited) s")
            #expect(root.json("outbox/files/\(ids[0]).json")?["status"] as? String == "pending")
        }
    }
}
