import Catalogue
import Foundation
import Publish
import SluiceCore
import Testing
import TestSupport

@Suite struct OutboxPublisherTests {
    @Test func publishesMarkedObjectsPagesIndexAndReceiptsThenRemovesDeleted() throws {
        let root = TemporaryRoot("publish")
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.path + "/.sluice", withIntermediateDirectories: true)
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
        let publisher = try OutboxPublisher(root: root.path, catalogue: catalogue)
        let executor = RequestExecutor()
        // One batch of 150 uploads, committed together as the ingest loop does.
        let records = try catalogue.write { tx in
            try (0..<150).map { i in
                try executor.apply(Drop(requestID: Identifier.make(), name: "f\(i).txt", receivedAt: .now(),
                                        content: .upload(ContentSniffer.sniff(Array("text".utf8)), size: 4)), in: tx)
            }
        }
        let ids = try records.map { record -> String in
            guard case let .string(id)? = try JSONParser.parse(record.receipt)["body"]?["id"] else { throw CancellationError() }
            return id
        }
        let written = try publisher.publishPending().outputs
        #expect(written == 150 + 150 + 2 + 1, "objects, receipts, two pages, the index: each once")
        #expect(try catalogue.read { try $0.publishedVersion() == $0.currentVersion() })
        #expect(try publisher.publishPending().outputs == 0, "nothing changed since")
        #expect((root.json("outbox/files/page-0.json")?["files"] as? [Any])?.count == 99, "seq starts at 1")
        #expect((root.json("outbox/files/page-1.json")?["files"] as? [Any])?.count == 51)
        #expect(root.json("outbox/files/index.json")?["count"] as? Int == 150)
        #expect(root.json("outbox/receipts/f7.txt.json")?["status"] as? Int == 200)

        // A later change rewrites only what it touches.
        let delete = Drop(requestID: Identifier.make(), name: "del.json", receivedAt: .now(),
                          content: .document(.object([("op", .string("file.delete")), ("id", .string(ids[120]))])))
        try catalogue.write { _ = try executor.apply(delete, in: $0) }
        #expect(try publisher.publishPending().outputs == 4, "the object (removed), its page, the index, the receipt")
        #expect(root.read("outbox/files/\(ids[120]).json") == nil)
        #expect((root.json("outbox/files/page-1.json")?["files"] as? [Any])?.count == 50)
        #expect(root.list("outbox/files").filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
    }
}
