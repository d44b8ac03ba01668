import Catalogue
import Foundation
import Publish
import SluiceCore
import Testing
import TestSupport

@Suite struct OutboxPublisherTests {
    /// `drops` applied in one transaction, as the ingest loop commits a batch.
    func commit(_ drops: [Drop], to catalogue: SQLiteCatalogue) throws -> [RequestRecord] {
        let executor = RequestExecutor()
        return try catalogue.write { tx in try drops.map { try executor.apply($0, in: tx) } }
    }

    /// A catalogue in `root/.sluice/` and a publisher writing `root/outbox/` from it.
    func publishing(_ root: TemporaryRoot) throws -> (SQLiteCatalogue, OutboxPublisher) {
        try FileManager.default.createDirectory(atPath: root.path + "/.sluice", withIntermediateDirectories: true)
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
        return (catalogue, try OutboxPublisher(root: root.path, catalogue: catalogue))
    }

    /// A pass large enough to be written by two threads: a drop name used 100 times in it gets the last one's receipt,
    /// every pet its object, and no temporary file is left behind.
    @Test func aLargePassWritesEachNameOnceAndTheLastReceiptWins() throws {
        let root = TemporaryRoot("publish-parallel")
        defer { root.remove() }
        let (catalogue, publisher) = try publishing(root)
        let records = try commit((0..<100).map { i in
            Drop(requestID: Identifier.make(), name: "same.json", receivedAt: .now(), content: .document(.object([
                ("op", .string("pet.create")), ("name", .string("pet \(i)")), ("age", .int(1)), ("type", .string("cat"))])))
        }, to: catalogue)
        let written = try publisher.publishPending().outputs
        #expect(written == 100 + 1 + 2 + 1 + 1, "100 pets, one receipt, two pages (seq 1–99, 100), the index, the recent receipts")
        let receipt = root.json("outbox/receipts/same.json")
        #expect(receipt?["id"] as? String == records.last?.id)
        #expect((receipt?["body"] as? [String: Any])?["name"] as? String == "pet 99")
        #expect(root.list("outbox/pets").filter { $0.hasSuffix(".json") && $0.count == 41 }.count == 100)
        for folder in ["outbox/pets", "outbox/receipts"] {
            #expect(root.list(folder).filter { $0.hasPrefix(".tmp-") }.isEmpty, "no temporary left in \(folder)")
        }
    }

    @Test func publishesMarkedObjectsPagesIndexAndReceiptsThenRemovesDeleted() throws {
        let root = TemporaryRoot("publish")
        defer { root.remove() }
        let (catalogue, publisher) = try publishing(root)
        let executor = RequestExecutor()
        // One batch of 150 uploads, committed together as the ingest loop does.
        let records = try commit((0..<150).map { i in
            Drop(requestID: Identifier.make(), name: "f\(i).txt", receivedAt: .now(),
                 content: .upload(Upload(ContentSniffer.sniff(Array("text".utf8)), size: 4)))
        }, to: catalogue)
        let ids = try records.map { record -> String in
            guard case let .string(id)? = try JSONParser.parse(record.receipt)["body"]?["id"] else { throw CancellationError() }
            return id
        }
        let written = try publisher.publishPending().outputs
        #expect(written == 150 + 150 + 2 + 1 + 1, "objects, receipts, two pages, the index, the recent receipts: each once")
        #expect(try catalogue.read { try $0.publishedVersion() == $0.currentVersion() })
        #expect(try publisher.publishPending().outputs == 0, "nothing changed since")
        // The recent receipts removed (by hand, or a root from before they existed): the next pass writes them again,
        // from what is published, on the publisher's own thread.
        #expect(unlink(root.path + "/outbox/recent-receipts.json") == 0)
        #expect(try publisher.publishPending().outputs == 1)
        #expect((root.json("outbox/recent-receipts.json")?["receipts"] as? [Any])?.count == RecentReceipts.count)
        #expect(try publisher.publishPending().outputs == 0, "written once")
        #expect((root.json("outbox/files/page-0.json")?["files"] as? [Any])?.count == 99, "seq starts at 1")
        #expect((root.json("outbox/files/page-1.json")?["files"] as? [Any])?.count == 51)
        #expect(root.json("outbox/files/index.json")?["count"] as? Int == 150)
        #expect(root.json("outbox/receipts/f7.txt.json")?["status"] as? Int == 200)

        // A later change rewrites only what it touches.
        let delete = Drop(requestID: Identifier.make(), name: "del.json", receivedAt: .now(),
                          content: .document(.object([("op", .string("file.delete")), ("id", .string(ids[120]))])))
        try catalogue.write { _ = try executor.apply(delete, in: $0) }
        #expect(try publisher.publishPending().outputs == 5, "the object (removed), its page, the index, the receipt, the recent receipts")
        let recent = try #require(root.json("outbox/recent-receipts.json")?["receipts"] as? [[String: Any]])
        #expect(recent.count == RecentReceipts.count && recent.first?["name"] as? String == "del.json" && recent.first?["status"] as? Int == 200,
                "the newest first, at most 30")
        #expect(root.read("outbox/files/\(ids[120]).json") == nil)
        #expect((root.json("outbox/files/page-1.json")?["files"] as? [Any])?.count == 50)
        #expect(root.list("outbox/files").filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
    }
}
