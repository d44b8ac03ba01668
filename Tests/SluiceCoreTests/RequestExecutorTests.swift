import Testing
@testable import SluiceCore

@Suite struct RequestExecutorTests {
    let executor = RequestExecutor()

    func drop(_ json: String, name: String = "r.json") throws -> Drop {
        Drop(requestID: Identifier.make(), name: name, receivedAt: .now(), content: .document(try JSONParser.parse(Array(json.utf8))))
    }

    func receipt(_ record: RequestRecord) throws -> JSONValue { try JSONParser.parse(record.receipt) }

    @Test func downloadQueuesOneFileAndJobPerURL() throws {
        let catalogue = MemoryCatalogue()
        let record = try catalogue.write { try executor.apply(try drop(#"{"op":"download","url_list":["http://h/a.pdf","http://h/"]}"#), in: $0) }
        let r = try receipt(record)
        #expect(r["status"] == .int(200))
        guard case let .array(files)? = r["body"]?["files"] else { Issue.record(); return }
        #expect(files.count == 2)
        try catalogue.read { (c) throws in
            #expect(try c.unfinishedJobCount() == 2)
            guard case let .string(id)? = files[0]["id"] else { return }
            let file = try c.file(id: id)
            #expect(file?.status == .pending && file?.name == "a.pdf" && file?.url == "http://h/a.pdf")
            guard case let .string(id2)? = files[1]["id"] else { return }
            #expect(try c.file(id: id2)?.name == id2, "no path segment: the name is the id")
        }
        #expect(record.destination.hasPrefix("inbox/.done/"))
    }

    @Test func unknownIdsAre404AndChangeNothing() throws {
        let catalogue = MemoryCatalogue()
        let id = Identifier.make()
        let record = try catalogue.write { try executor.apply(try drop(#"{"op":"file.delete","id":"\#(id)"}"#), in: $0) }
        #expect(try receipt(record)["status"] == .int(404))
        #expect(try catalogue.read { try $0.fileCount() } == 0)
    }

    @Test func batchesReportEachElement() throws {
        let catalogue = MemoryCatalogue()
        let record = try catalogue.write {
            try executor.apply(try drop(#"[{"op":"download","url_list":["http://h/x"]}, {"op":"nope"}, {"op":"file.delete","id":"\#(Identifier.make())"}]"#), in: $0)
        }
        let r = try receipt(record)
        #expect(r["status"] == nil)
        guard case let .array(results)? = r["results"] else { Issue.record(); return }
        #expect(results.map { $0["status"] } == [.int(200), .int(422), .int(404)])
        #expect(try catalogue.read { try $0.fileCount() } == 1)
    }

    @Test func uploadsUpdatesAndDeletes() throws {
        let catalogue = MemoryCatalogue()
        let type = ContentSniffer.sniff(Array("%PDF-1.4".utf8))
        let upload = Drop(requestID: Identifier.make(), name: "my report.pdf", receivedAt: .now(), content: .upload(type, size: 42))
        let record = try catalogue.write { try executor.apply(upload, in: $0) }
        #expect(record.receiptName == "my report.pdf.json")
        guard case let .string(id)? = try receipt(record)["body"]?["id"] else { Issue.record(); return }
        #expect(record.destination == "upload/application/\(id).pdf")

        let update = try catalogue.write { try executor.apply(try drop(#"{"op":"file.update","id":"\#(id)","name":"renamed","comment":"c"}"#), in: $0) }
        #expect(try receipt(update)["body"]?["name"] == .string("renamed"))
        #expect(try catalogue.read { try $0.file(id: id)?.comment } == "c")

        let delete = try catalogue.write { try executor.apply(try drop(#"{"op":"file.delete","id":"\#(id)"}"#), in: $0) }
        #expect(try receipt(delete)["body"] == .object([]))
        try catalogue.read { (c) throws in
            #expect(try c.file(id: id) == nil)
            #expect(try c.pendingUnlinks(limit: 10) == ["upload/application/\(id).pdf"])
            #expect(try c.filesDeleted(after: 0, upTo: c.currentVersion()).map(\.id) == [id], "the outbox will remove it")
        }
    }

    @Test func applyingARequestTwiceIsRefused() throws {
        let catalogue = MemoryCatalogue()
        let d = try drop(#"{"op":"download","url_list":["http://h/x"]}"#)
        _ = try catalogue.write { try executor.apply(d, in: $0) }
        #expect(throws: CatalogueError.duplicateRequest(d.requestID)) { try catalogue.write { try executor.apply(d, in: $0) } }
        #expect(try catalogue.read { try $0.fileCount() } == 1, "the second apply rolled back whole")
    }

    @Test func refusedDropsAreKeptInRejected() throws {
        let catalogue = MemoryCatalogue()
        let refused = Drop(requestID: Identifier.make(), name: "x.json", receivedAt: .now(),
                           content: .refused(RequestFailure(status: 413, description: "too big", data: .null)))
        let record = try catalogue.write { try executor.apply(refused, in: $0) }
        #expect(record.isRejected)
        #expect(try receipt(record)["status"] == .int(413))
    }

    @Test func receiptNamesFollowTheDroppedName() {
        #expect(RootLayout.receiptName(for: "batch.json", requestID: "r") == "batch.json")
        #expect(RootLayout.receiptName(for: "cat.jpg", requestID: "r") == "cat.jpg.json")
        #expect(RootLayout.receiptName(for: String(repeating: "a", count: 252), requestID: "r") == "r.json")
    }
}
