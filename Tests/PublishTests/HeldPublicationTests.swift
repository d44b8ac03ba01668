import Catalogue
import Foundation
import Publish
import SluiceCore
import Testing
import TestSupport

/// `OutboxPublisher.publishPending(holdingMoving:)`: what a held pass writes ahead, what the pass that publishes then
/// skips, and when nothing is held at all.
@Suite struct HeldPublicationTests {
    let executor = RequestExecutor()

    func publishing(_ root: TemporaryRoot) throws -> (SQLiteCatalogue, OutboxPublisher) {
        try FileManager.default.createDirectory(atPath: root.path + "/.sluice", withIntermediateDirectories: true)
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite")
        return (catalogue, try OutboxPublisher(root: root.path, catalogue: catalogue))
    }

    func drop(_ name: String, _ fields: [(String, JSONValue)]) -> Drop {
        Drop(requestID: Identifier.make(), name: name, receivedAt: .now(), content: .document(.object(fields)))
    }

    func upload(_ name: String, png: Bool = false) -> Drop {
        let bytes: [UInt8] = png ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 8, 0, 0, 0, 8]
                                 : Array("text".utf8)
        return Drop(requestID: Identifier.make(), name: name, receivedAt: .now(),
                    content: .upload(Upload(ContentSniffer.sniff(bytes), size: bytes.count, imageSize: png ? ImageHeader(width: 8, height: 8) : nil)))
    }

    func commit(_ drops: [Drop], _ catalogue: SQLiteCatalogue) throws -> [String] {
        try catalogue.write { tx in try drops.map { try executor.apply($0, in: tx) } }.map { record in
            let body = try JSONParser.parse(record.receipt)["body"]
            if case let .string(id)? = body?["id"] { return id }
            if case let .array(files)? = body?["files"], case let .string(id)? = files.first?["id"] { return id }
            return ""
        }
    }

    func settle(_ id: String, _ catalogue: SQLiteCatalogue) throws {
        _ = try catalogue.write { try $0.updateFile(id: id, stage: FileStageUpdate(status: .error, error: "gone")) }
    }

    func inode(_ root: TemporaryRoot, _ path: String) -> UInt64? {
        var info = stat()
        return stat(root.path + "/" + path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// While a download is pending, a held pass writes only what has settled (an upload's File), no receipt and no
    /// listing; the pass that publishes writes the rest, and leaves the File written ahead as it was.
    @Test func aHeldPassWritesOnlySettledObjectsAndThePublishingPassSkipsThem() throws {
        let root = TemporaryRoot("publish-held")
        defer { root.remove() }
        let (catalogue, publisher) = try publishing(root)
        let ids = try commit([upload("note.txt"), drop("get.json", [("op", .string("download")), ("url_list", .array([.string("http://127.0.0.1:9/a")]))])], catalogue)
        let (uploaded, downloading) = (ids[0], ids[1])

        let held = try publisher.publishPending(holdingMoving: true)
        #expect(held.held && held.outputs == 1 && held.versions == 0, "only the upload's File: \(held)")
        #expect(root.read("outbox/files/\(uploaded).json") != nil)
        #expect(root.read("outbox/files/\(downloading).json") == nil, "a pending File waits")
        #expect(root.read("outbox/receipts/note.txt.json") == nil && root.read("outbox/receipts/get.json") == nil,
                "no receipt before every object it names is out")
        #expect(root.read("outbox/files/index.json") == nil)
        #expect(try catalogue.read { try $0.publishedVersion() } == 0)
        let writtenAhead = inode(root, "outbox/files/\(uploaded).json")

        #expect(try publisher.publishPending(holdingMoving: true).outputs == 0, "nothing new settled, nothing written again")

        try settle(downloading, catalogue)
        let published = try publisher.publishPending(holdingMoving: true)
        #expect(!published.held, "everything settled: published at once")
        #expect(published.outputs == 1 + 2 + 2 + 1, "the other File, two receipts, the page and the index, the recent receipts")
        #expect(inode(root, "outbox/files/\(uploaded).json") == writtenAhead, "the File written ahead is not written again")
        #expect(root.json("outbox/files/\(downloading).json")?["status"] as? String == "error")
        #expect(root.json("outbox/receipts/get.json")?["status"] as? Int == 200)
        #expect(try catalogue.read { try $0.publishedVersion() == $0.currentVersion() })
        #expect(root.list("outbox/files").filter { $0.hasPrefix(".") }.isEmpty, "no temporary left")
    }

    /// A File written ahead that changes before its pass publishes it is written again, with what it is now; held
    /// or not, a publishing pass (at a stop, or past the hold's limit) writes moving objects as they are.
    @Test func aPassThatMayNotHoldPublishesMovingObjectsAndRewritesChangedOnes() throws {
        let root = TemporaryRoot("publish-held-changed")
        defer { root.remove() }
        let (catalogue, publisher) = try publishing(root)
        let ids = try commit([upload("note.txt"), drop("get.json", [("op", .string("download")), ("url_list", .array([.string("http://127.0.0.1:9/a")]))])], catalogue)
        #expect(try publisher.publishPending(holdingMoving: true).held)
        _ = try commit([drop("rename.json", [("op", .string("file.update")), ("id", .string(ids[0])), ("name", .string("renamed.txt"))])], catalogue)
        let report = try publisher.publishPending()
        #expect(!report.held)
        #expect(root.json("outbox/files/\(ids[0]).json")?["name"] as? String == "renamed.txt")
        #expect(root.json("outbox/files/\(ids[1]).json")?["status"] as? String == "pending", "published as it is")
        #expect(root.json("outbox/receipts/rename.json")?["status"] as? Int == 200)
    }

    /// A held pass looks only at what changed since the last one: a File still moving then and unchanged since is
    /// moving still, and one deleted meanwhile no longer holds anything back.
    @Test func aMovingFileDeletedEndsTheHold() throws {
        let root = TemporaryRoot("publish-held-deleted")
        defer { root.remove() }
        let (catalogue, publisher) = try publishing(root)
        let ids = try commit([drop("get.json", [("op", .string("download")), ("url_list", .array([.string("http://127.0.0.1:9/a")]))])], catalogue)
        #expect(try publisher.publishPending(holdingMoving: true).held)
        #expect(try publisher.publishPending(holdingMoving: true).held, "nothing changed: still moving")
        _ = try commit([drop("delete.json", [("op", .string("file.delete")), ("id", .string(ids[0]))])], catalogue)
        let report = try publisher.publishPending(holdingMoving: true)
        #expect(!report.held, "nothing moves any more: published")
        #expect(root.json("outbox/receipts/delete.json")?["status"] as? Int == 200)
        #expect(root.read("outbox/files/\(ids[0]).json") == nil)
        #expect(try catalogue.read { try $0.publishedVersion() == $0.currentVersion() })
    }

    /// What a process wrote ahead is forgotten once another one has published: its files may hold something else
    /// by then, even bytes that later come back (a pet whose photo came and went).
    @Test func whatWasWrittenAheadIsForgottenWhenAnotherProcessPublishes() throws {
        let root = TemporaryRoot("publish-held-other")
        defer { root.remove() }
        let (catalogue, first) = try publishing(root)
        let second = try OutboxPublisher(root: root.path, catalogue: catalogue)
        let ids = try commit([drop("pet.json", [("op", .string("pet.create")), ("name", .string("Rex")), ("age", .int(3)), ("type", .string("dog"))]),
                              upload("rex.png", png: true),
                              drop("get.json", [("op", .string("download")), ("url_list", .array([.string("http://127.0.0.1:9/a")]))])], catalogue)
        let (pet, image) = (ids[0], ids[1])
        #expect(try first.publishPending(holdingMoving: true).held, "the pet and the image written ahead")
        try second.publishPending()
        _ = try commit([drop("photo.json", [("op", .string("pet.photo")), ("pet_id", .string(pet)), ("file_id", .string(image))])], catalogue)
        try second.publishPending()
        #expect((root.json("outbox/pets/\(pet).json")?["photos"] as? [Any])?.count == 1)
        _ = try commit([drop("delete.json", [("op", .string("file.delete")), ("id", .string(image))])], catalogue)
        try first.publishPending()
        #expect((root.json("outbox/pets/\(pet).json")?["photos"] as? [Any])?.count == 0,
                "the pet is back to what the first wrote ahead, but the file holds what the second wrote: written again")
    }
}
