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
        let upload = Drop(requestID: Identifier.make(), name: "my report.pdf", receivedAt: .now(), content: .upload(Upload(type, size: 42)))
        let record = try catalogue.write { try executor.apply(upload, in: $0) }
        #expect(record.receiptName == "my report.pdf.json")
        // Given a name and a comment with its bytes: the File has both from the start, and the name counts as the user's.
        let named = Drop(requestID: Identifier.make(), name: "IMG_0042.bin", receivedAt: .now(),
                         content: .upload(Upload(type, size: 42, name: "Quarterly report.pdf", comment: "for Anna")))
        _ = try catalogue.write { try executor.apply(named, in: $0) }
        let given = try #require(try catalogue.read { try $0.file(id: named.requestID) })
        #expect(given.name == "Quarterly report.pdf" && given.comment == "for Anna" && given.nameSetByUser)
        #expect(given.fileExtension == ".pdf" && named.uploadPath == "upload/application/\(named.requestID).pdf")
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

    @Test func petsAreCreatedGivenPhotosAndDeletedWithThem() throws {
        let catalogue = MemoryCatalogue()
        let created = try catalogue.write { try executor.apply(try drop(#"{"op":"pet.create","name":"boy","age":7,"type":"dog"}"#), in: $0) }
        let pet = try receipt(created)["body"]
        #expect(pet?["name"] == .string("boy") && pet?["age"] == .int(7) && pet?["type"] == .string("dog") && pet?["photos"] == .array([]))
        guard case let .string(petID)? = pet?["id"] else { Issue.record(); return }
        // A photo by URL is a download queued at once; its receipt names where the reader will serve it.
        let byURL = try receipt(try catalogue.write {
            try executor.apply(try drop(#"{"op":"pet.photo","pet_id":"\#(petID)","url":"http://h/cat.jpg"}"#), in: $0)
        })
        guard case let .string(photoID)? = byURL["body"]?["id"] else { Issue.record("\(byURL)"); return }
        #expect(byURL["body"]?["url"] == .string("http://127.0.0.1:8000/file/\(photoID)/download"))
        try catalogue.read { (c) throws in
            #expect(try c.photoOwner(fileID: photoID) == petID)
            #expect(try c.unfinishedJobCount() == 1)
            #expect(try c.pet(id: petID)?.photos == [], "listed once downloaded")
        }
        // A photo by file id: only a stored image, within the limits.
        func upload(_ mime: String, _ size: ImageHeader?, truncated: Bool = false) throws -> String {
            let type = SniffedType(mime: mime, kind: mime.hasPrefix("image/") ? .image : .text, fileExtension: ".x")
            let d = Drop(requestID: Identifier.make(), name: "u.x", receivedAt: .now(),
                         content: .upload(Upload(type, size: 10, imageSize: size, imageTruncated: truncated)))
            _ = try catalogue.write { try executor.apply(d, in: $0) }
            return d.requestID
        }
        func attach(_ file: String) throws -> JSONValue {
            try receipt(try catalogue.write { try executor.apply(try drop(#"{"op":"pet.photo","pet_id":"\#(petID)","file_id":"\#(file)"}"#), in: $0) })
        }
        let png = try upload("image/png", ImageHeader(width: 64, height: 48))
        #expect(try attach(png)["status"] == .int(200))
        #expect(try attach(png)["status"] == .int(409), "a file is the photo of one pet")
        #expect(try attach(try upload("text/html", nil))["status"] == .int(422))
        #expect(try attach(try upload("image/png", ImageHeader(width: 100_000, height: 100_000)))["status"] == .int(422))
        let cut = try attach(try upload("image/jpeg", ImageHeader(width: 64, height: 48), truncated: true))
        #expect(cut["status"] == .int(422) && cut["body"]?["description"] == .string(
            "The file cannot be a photo: not a photo: the image/jpeg bytes stop before the image ends (truncated)."))
        #expect(try attach(Identifier.make())["status"] == .int(404))
        #expect(try catalogue.read { try $0.pet(id: petID)?.photos } == [png])
        // Bulk delete: per-id errors, photos deleted with their pet (rows and bytes).
        let missing = Identifier.make()
        let deleted = try receipt(try catalogue.write {
            try executor.apply(try drop(#"{"op":"pets.delete","ids":["\#(petID)","\#(missing)","nope",7,"\#(petID)"]}"#), in: $0)
        })
        #expect(deleted["status"] == .int(200))
        #expect(deleted["body"]?["deleted"] == .int(1))
        guard case let .array(errors)? = deleted["body"]?["errors"] else { Issue.record(); return }
        #expect(errors.map { $0["id"] } == [.string(missing), .string("nope"), .int(7), .string(petID)])
        #expect(errors.allSatisfy { $0["error"] == .string("Pet with the matching ID was not found.") }, "seed 004's message for each")
        try catalogue.read { (c) throws in
            #expect(try c.pet(id: petID) == nil)
            #expect(try c.file(id: png) == nil && c.file(id: photoID) == nil, "its photos' Files are gone")
            #expect(try c.pendingUnlinks(limit: 10).contains("upload/image/\(png).x"), "and their bytes")
            #expect(try c.unfinishedJobCount() == 0, "and the photo's download")
        }
    }

    @Test func petCreateIsStrict() throws {
        let decoder = RequestDecoder()
        func errors(_ json: String) throws -> [String] {
            guard case let .failure(f) = decoder.decode(try JSONParser.parse(Array(json.utf8))) else { return [] }
            return f.errors.flatMap { e in e.messages.map { "\(e.path): \($0)" } }
        }
        let good = #""name":"boy","type":"dog""#
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":7}"#) == [])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":-1}"#) == ["age: must be from 0 to 100, got -1"])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":101}"#) == ["age: must be from 0 to 100, got 101"])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":1e12}"#) == ["age: expected integer, got number"])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":"7"}"#) == ["age: expected integer, got string"])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":null}"#) == ["age: expected integer, got null"])
        #expect(try errors(#"{"op":"pet.create","name":"","age":1,"type":"cat"}"#) == ["name: must not be empty"])
        #expect(try errors(#"{"op":"pet.create","name":"   ","age":1,"type":"cat"}"#) == ["name: must not be blank"])
        #expect(try errors(#"{"op":"pet.create","name":"\#(String(repeating: "n", count: 10_000))","age":1,"type":"cat"}"#)
            == ["name: longer than 400 bytes (10000)"])
        #expect(try errors(#"{"op":"pet.create","name":"\#(String(repeating: "n", count: 101))","age":1,"type":"cat"}"#)
            == ["name: longer than 100 characters (101)"])
        // One character, thousands of combining accents: one "character", a megabyte of name.
        let heavy = "e" + String(repeating: "\u{0301}", count: 5000)
        #expect(heavy.count == 1)
        #expect(try errors(#"{"op":"pet.create","name":"\#(heavy)","age":1,"type":"cat"}"#) == ["name: longer than 400 bytes (10001)"])
        // At most 100,000 ids to delete in one request file, across its batch: 413, nothing applied.
        func fileStatus(_ json: String) throws -> Int? {
            guard case let .failure(f) = decoder.decodeDocument(try JSONParser.parse(Array(json.utf8))) else { return nil }
            return f.status
        }
        let ids = (0..<50_001).map { _ in "\"x\"" }.joined(separator: ",")
        #expect(try fileStatus(#"{"op":"pets.delete","ids":[\#(ids)]}"#) == nil)
        #expect(try fileStatus(#"[{"op":"pets.delete","ids":[\#(ids)]},{"op":"pets.delete","ids":[\#(ids)]}]"#) == 413)
        #expect(try errors(#"{"op":"pet.create","name":"x","age":1,"type":"hamster"}"#) == [#"type: must be one of "dog", "cat", got "hamster""#])
        #expect(try errors(#"{"op":"pet.create","name":"x","age":1,"type":"Dog"}"#) == [#"type: must be one of "dog", "cat", got "Dog""#])
        #expect(try errors(#"{"op":"pet.create",\#(good),"age":1,"color":"red"}"#) == ["color: unknown field"])
        #expect(try errors(#"{"op":"pet.photo","pet_id":"\#(Identifier.make())"}"#) == ["url: missing: give url (a photo to download) or file_id (a stored image)"])
        #expect(try errors(#"{"op":"pet.photo","pet_id":"\#(Identifier.make())","url":"http://h/a.png","file_id":"\#(Identifier.make())"}"#)
                == ["file_id: give url (a photo to download) or file_id (a stored image), not both"])
        #expect(try errors(#"{"op":"pets.delete","ids":"x"}"#) == ["ids: expected array, got string"])
    }
}
