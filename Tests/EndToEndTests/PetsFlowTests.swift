import Catalogue
import Foundation
import Imaging
import SluiceCore
import Testing
import TestSupport

/// Seed 004 through the real `sluice up`: pets created by drops, photos by URL and by file, the reader's listing,
/// bulk delete, the export command and the API key.
@Suite(.serialized) struct PetsFlowTests {
    func body(_ root: TemporaryRoot, _ receipt: String) -> [String: Any] {
        root.json("outbox/receipts/" + receipt)?["body"] as? [String: Any] ?? [:]
    }

    func results(_ root: TemporaryRoot, _ receipt: String) -> [[String: Any]] {
        root.json("outbox/receipts/" + receipt)?["results"] as? [[String: Any]] ?? []
    }

    func png(_ width: Int, _ height: Int) throws -> [UInt8] {
        let image = try GDImage(width: width, height: height)
        image.fillRectangle(x1: 0, y1: 0, x2: width - 1, y2: height - 1, red: 20, green: 120, blue: 220)
        return try image.png()
    }

    @Test func createPhotographListDeleteAndExport() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        let photo = try png(40, 30)
        server.serve("cat.png", photo)
        server.serve("page.html", Array("<!doctype html><html><body>not a photo</body></html>".utf8))
        server.serve("notes.txt", Array("just text".utf8))
        server.serve("truncated.png", Array(photo.prefix(photo.count / 2)))
        // A PNG header claiming 100000×100000 pixels, and nothing else.
        var huge = Array(photo.prefix(33))
        huge.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
        server.serve("huge.png", huge)

        let root = TemporaryRoot("e2e-pets")
        defer { root.remove() }
        let port = HTTPClient.freePort()
        let base = "http://127.0.0.1:\(port)"
        let up = try SluiceProcess(["up", "--root", root.path, "--port", "\(port)", "--base-url", base, "--attempts", "1"])
        defer { up.stop() }
        #expect(await HTTPClient.waitForReader(port: port))

        // Create three pets in one batch, and refuse the bad ones each with its reason.
        try root.drop("pets.json", json: """
            [{"op": "pet.create", "name": "boy", "age": 7, "type": "dog"},
             {"op": "pet.create", "name": "girl", "age": 3, "type": "cat"},
             {"op": "pet.create", "name": "solo", "age": 0, "type": "dog"},
             {"op": "pet.create", "name": "bad", "age": 101, "type": "dog"},
             {"op": "pet.create", "name": "bad", "age": 1, "type": "hamster"}]
            """)
        #expect(root.wait { root.json("outbox/receipts/pets.json") != nil })
        let created = results(root, "pets.json")
        #expect(created.map { $0["status"] as? Int } == [200, 200, 200, 422, 422])
        let pets = created.prefix(3).compactMap { ($0["body"] as? [String: Any])?["id"] as? String }
        #expect(pets.count == 3)
        let boy = try #require(created.first?["body"] as? [String: Any])
        #expect(boy["name"] as? String == "boy" && boy["age"] as? Int == 7 && boy["type"] as? String == "dog")
        #expect((boy["photos"] as? [Any])?.isEmpty == true && (boy["created_at"] as? String)?.hasSuffix("Z") == true)

        // A photo by URL: the receipt at once, the photo listed once downloaded; one by a stored file's id.
        try root.drop("photo-url.json", json: #"{"op": "pet.photo", "pet_id": "\#(pets[0])", "url": "\#(server.base)/static/cat.png"}"#)
        try root.drop("upload.png", photo)
        #expect(root.wait { root.json("outbox/receipts/photo-url.json") != nil && root.json("outbox/receipts/upload.png.json") != nil })
        let byURL = body(root, "photo-url.json")
        let urlPhoto = try #require(byURL["id"] as? String)
        #expect(byURL["url"] as? String == "\(base)/file/\(urlPhoto)/download")
        let uploaded = try #require(body(root, "upload.png.json")["id"] as? String)
        try root.drop("photo-file.json", json: #"{"op": "pet.photo", "pet_id": "\#(pets[1])", "file_id": "\#(uploaded)"}"#)
        #expect(root.wait { root.json("outbox/receipts/photo-file.json") != nil })
        #expect(root.json("outbox/receipts/photo-file.json")?["status"] as? Int == 200)
        #expect(root.wait { (root.json("outbox/pets/\(pets[0]).json")?["photos"] as? [[String: Any]])?.count == 1 })
        let listed = try #require((root.json("outbox/pets/\(pets[0]).json")?["photos"] as? [[String: Any]])?.first)
        #expect(listed["id"] as? String == urlPhoto && listed["url"] as? String == "\(base)/file/\(urlPhoto)/download")
        let served = try await HTTPClient.request(try #require(listed["url"] as? String))
        #expect(served.status == 200 && served.body == photo, "the photo is served at its url")
        #expect(served.headers["content-disposition"]?.hasPrefix("inline; filename=") == true, "shown as a picture, not downloaded")
        #expect(served.headers["x-content-type-options"] == "nosniff")

        // A truncated image uploaded is stored as a File, and is no photo by its id either.
        try root.drop("cut.png", Array(photo.prefix(photo.count / 2)))
        #expect(root.wait { root.json("outbox/receipts/cut.png.json") != nil })
        let cut = try #require(body(root, "cut.png.json")["id"] as? String)
        try root.drop("photo-cut.json", json: #"{"op": "pet.photo", "pet_id": "\#(pets[1])", "file_id": "\#(cut)"}"#)
        #expect(root.wait { root.json("outbox/receipts/photo-cut.json") != nil })
        #expect(root.json("outbox/receipts/photo-cut.json")?["status"] as? Int == 422)
        #expect((body(root, "photo-cut.json")["description"] as? String)?.contains("stop before the image ends (truncated)") == true)

        // Photos that are no photos: the receipt comes at once; the File says why, and the pet does not list it.
        let bad = ["page.html": "the bytes are text/html", "notes.txt": "the bytes are text/plain",
                   "truncated.png": "stop before the image ends", "huge.png": "over the limit of 16384 pixels a side"]
        for name in bad.keys {
            try root.drop("bad-\(name).json", json: #"{"op": "pet.photo", "pet_id": "\#(pets[0])", "url": "\#(server.base)/static/\#(name)"}"#)
        }
        try root.drop("no-pet.json", json: #"{"op": "pet.photo", "pet_id": "00000000-0000-4000-8000-000000000000", "url": "\#(server.base)/static/cat.png"}"#)
        try root.drop("no-file.json", json: #"{"op": "pet.photo", "pet_id": "\#(pets[0])", "file_id": "00000000-0000-4000-8000-000000000000"}"#)
        for (name, reason) in bad {
            #expect(root.wait { root.json("outbox/receipts/bad-\(name).json") != nil })
            let id = try #require(body(root, "bad-\(name).json")["id"] as? String)
            #expect(root.wait { root.json("outbox/files/\(id).json")?["status"] as? String == "error" }, "\(name)")
            let error = root.json("outbox/files/\(id).json")?["error"] as? String ?? ""
            #expect(error.hasPrefix("not a photo") && error.contains(reason), "\(name): \(error)")
            #expect(!root.list("upload/image").contains { $0.hasPrefix(id) } && !root.list("upload/text").contains { $0.hasPrefix(id) },
                    "\(name): its bytes are not kept")
        }
        #expect(root.wait { root.json("outbox/receipts/no-file.json") != nil && root.json("outbox/receipts/no-pet.json") != nil })
        #expect(root.json("outbox/receipts/no-pet.json")?["status"] as? Int == 404)
        #expect((body(root, "no-pet.json")["description"] as? String) == "Pet with the matching ID was not found.")
        #expect(root.json("outbox/receipts/no-file.json")?["status"] as? Int == 404)
        #expect((root.json("outbox/pets/\(pets[0]).json")?["photos"] as? [Any])?.count == 1, "no bad photo is listed")

        // The reader: each has_photos value, paging, one pet, and 422 on a bad value.
        func listing(_ query: String) async throws -> (count: Int?, ids: [String]) {
            let answer = try await HTTPClient.request("\(base)/pets\(query)")
            let items = (answer.json?["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            return (answer.json?["count"] as? Int, items)
        }
        #expect(try await listing("") == (3, pets))
        #expect(try await listing("?has_photos=true") == (2, [pets[0], pets[1]]))
        #expect(try await listing("?has_photos=false") == (1, [pets[2]]))
        #expect(try await listing("?limit=1&offset=1") == (3, [pets[1]]))
        #expect(try await listing("?limit=2&offset=2") == (3, [pets[2]]))
        for query in ["?limit=0", "?limit=101", "?offset=-1", "?has_photos=yes", "?limit=x"] {
            #expect(try await HTTPClient.request("\(base)/pets\(query)").status == 422, "\(query)")
        }
        let one = try await HTTPClient.request("\(base)/pets/\(pets[1])")
        #expect(one.status == 200 && one.json?["name"] as? String == "girl")
        #expect(try await HTTPClient.request("\(base)/pets/00000000-0000-4000-8000-000000000000").status == 404)
        #expect(try await HTTPClient.request("\(base)/pets/index.json").json?["count"] as? Int == 3, "the published listing too")

        // The export, compared field by field with the published pets.
        let export = try SluiceProcess.run(["export", "pets", "--root", root.path, "--base-url", base])
        #expect(export.status == 0)
        let exported = try #require((try JSONSerialization.jsonObject(with: Data(export.out.utf8)) as? [String: Any])?["pets"] as? [[String: Any]])
        #expect(exported.count == 3)
        for pet in exported {
            let published = try #require(root.json("outbox/pets/\(pet["id"] as? String ?? "").json"))
            for field in ["id", "name", "age", "type", "created_at"] {
                #expect("\(pet[field] ?? "")" == "\(published[field] ?? "")", "\(field)")
            }
            let urls = (published["photos"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String }
            #expect(pet["photos"] as? [String] == urls)
        }
        let withPhotos = try SluiceProcess.run(["export", "pets", "--root", root.path, "--has-photos", "true"])
        #expect((try JSONSerialization.jsonObject(with: Data(withPhotos.out.utf8)) as? [String: [Any]])?["pets"]?.count == 2)
        let badFlag = try SluiceProcess.run(["export", "pets", "--root", root.path, "--has-photos", "yes"])
        #expect(badFlag.status != 0 && badFlag.err.contains("--has-photos must be true or false"))
        let noRoot = try SluiceProcess.run(["export", "pets", "--root", root.path + "/no-such-folder"])
        #expect(noRoot.status == 64 && noRoot.err.contains("no folder") && noRoot.out.isEmpty, "\(noRoot.err)")

        // Bulk delete: a missing id, a repeated one and no UUID each get an error; photos go with their pets.
        let missing = "00000000-0000-4000-8000-0000000000aa"
        try root.drop("delete.json", json: #"{"op": "pets.delete", "ids": ["\#(pets[0])", "\#(missing)", "\#(pets[1])", "\#(pets[0])", "x"]}"#)
        #expect(root.wait { root.json("outbox/receipts/delete.json") != nil })
        let deleted = body(root, "delete.json")
        #expect(deleted["deleted"] as? Int == 2)
        let errors = deleted["errors"] as? [[String: Any]] ?? []
        #expect(errors.compactMap { $0["id"] as? String } == [missing, pets[0], "x"])
        #expect(errors.allSatisfy { $0["error"] as? String == "Pet with the matching ID was not found." && $0.count == 2 })
        #expect(root.wait { root.read("outbox/pets/\(pets[0]).json") == nil && root.read("outbox/pets/\(pets[1]).json") == nil })
        #expect(root.wait { root.read("outbox/files/\(urlPhoto).json") == nil && root.read("outbox/files/\(uploaded).json") == nil })
        #expect(root.wait { root.list("upload/image") == [cut + ".png"] }, "the photos' bytes are gone, the cut upload's stay: \(root.list("upload/image"))")
        #expect(try await listing("") == (1, [pets[2]]))
    }

    /// Seed 004's bulk delete at its largest: one request of 100,000 ids (2,000 pets among ids of none, and repeats)
    /// is one receipt listing every id that was not deleted, in bounded time and memory, and the watch goes on.
    @Test func aDeleteOfAHundredThousandIdsIsOneReceipt() throws {
        let root = TemporaryRoot("e2e-pets-bulk")
        defer { root.remove() }
        let watch = try SluiceProcess(["watch", "--root", root.path])
        defer { watch.stop() }
        let creates = (0..<2_000).map { #"{"op": "pet.create", "name": "p\#($0)", "age": 1, "type": "cat"}"# }
        try root.drop("pets.json", json: "[" + creates.joined(separator: ",") + "]")
        #expect(root.wait(timeout: 60) { root.json("outbox/receipts/pets.json") != nil })
        let pets = results(root, "pets.json").compactMap { ($0["body"] as? [String: Any])?["id"] as? String }
        try #require(pets.count == 2_000)

        // Every 49th id is a pet's; then ten pets named again.
        var ids: [String] = []
        ids.reserveCapacity(100_000)
        var nobody = 0
        for i in 0..<99_990 {
            if i % 49 == 0 && i / 49 < pets.count { ids.append(pets[i / 49]); continue }
            ids.append(String(format: "00000000-0000-4000-8000-%012x", nobody))
            nobody += 1
        }
        ids += pets.prefix(10)
        try #require(ids.count == 100_000)
        let started = Date()
        try root.drop("bulk.json", json: #"{"op": "pets.delete", "ids": [\#(ids.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
        #expect(root.wait(timeout: 60) { root.json("outbox/receipts/bulk.json") != nil })
        let seconds = Date().timeIntervalSince(started)
        let deleted = body(root, "bulk.json")
        #expect(deleted["deleted"] as? Int == 2_000)
        let errors = deleted["errors"] as? [[String: Any]] ?? []
        #expect(errors.count == 98_000)
        #expect(errors.first?["id"] as? String == ids[1] && errors.first?["error"] as? String == "Pet with the matching ID was not found.")
        #expect(errors.suffix(10).compactMap { $0["id"] as? String } == Array(pets.prefix(10)))
        #expect(errors.allSatisfy { $0["error"] as? String == "Pet with the matching ID was not found." && $0.count == 2 })
        #expect(root.wait { root.list("outbox/pets").allSatisfy { $0.count != 41 } }, "no pet's object is left")
        #expect(seconds < 30, "the receipt took \(seconds) s")
        let peak = try #require(watch.peakResidentMiB)
        #expect(peak < 200, "peak RSS \(peak) MiB for a 4 MB request")

        // The watch goes on.
        try root.drop("after.json", json: #"{"op": "pet.create", "name": "next", "age": 2, "type": "dog"}"#)
        #expect(root.wait { root.json("outbox/receipts/after.json")?["status"] as? Int == 200 })
    }

    /// The catalogue's pets (with their listed photos), Files, unfinished jobs and their owners, read-only.
    func snapshot(_ root: TemporaryRoot) throws -> (pets: [PetRecord], files: [FileRecord], jobs: Int, owners: [String]) {
        let catalogue = try SQLiteCatalogue(path: root.path + "/.sluice/catalogue.sqlite", readOnly: true)
        return try catalogue.read {
            (try $0.pets(afterSeq: 0, limit: 1000, hasPhotos: nil), try $0.files(afterSeq: 0, limit: 1000),
             try $0.unfinishedJobCount(), try $0.jobOwners())
        }
    }

    func photoIDs(_ root: TemporaryRoot, _ receipt: String) -> [String] {
        results(root, receipt).compactMap { ($0["body"] as? [String: Any])?["id"] as? String }
    }

    /// A photo's download is a job like any other: a kill -9 during it, then a SIGTERM during the next watch's
    /// attempt (which hands the jobs back), then a `run`: each pet ends with its one photo.
    @Test func photoDownloadsSurviveAKillAndAStopAndArriveOnce() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        server.serve("a.png", try png(30, 20))
        server.serve("b.png", try png(20, 30))
        let root = TemporaryRoot("e2e-pets-stops")
        defer { root.remove() }
        try root.drop("pets.json", json: """
            [{"op": "pet.create", "name": "a", "age": 1, "type": "dog"}, {"op": "pet.create", "name": "b", "age": 2, "type": "cat"}]
            """)
        var watch = try SluiceProcess(["watch", "--root", root.path])
        #expect(root.wait { root.json("outbox/receipts/pets.json") != nil })
        let pets = photoIDs(root, "pets.json")
        try #require(pets.count == 2)
        try root.drop("photos.json", json: """
            [{"op": "pet.photo", "pet_id": "\(pets[0])", "url": "\(server.base)/slowly/2500/a.png"},
             {"op": "pet.photo", "pet_id": "\(pets[1])", "url": "\(server.base)/slowly/2500/b.png"}]
            """)
        #expect(root.wait { root.json("outbox/receipts/photos.json") != nil })
        let photos = photoIDs(root, "photos.json")
        try #require(photos.count == 2)
        func requested(_ n: Int) -> Bool { server.slowly("a.png").started >= n && server.slowly("b.png").started >= n }

        #expect(root.wait { requested(1) }, "both photos are being fetched when the kill comes")
        let killed = try snapshot(root).owners
        #expect(killed.count == 1)
        watch.kill(SIGKILL)
        watch.process.waitUntilExit()
        // The next watch takes the jobs over (a new owner) and asks for both photos again.
        watch = try SluiceProcess(["watch", "--root", root.path])
        #expect(root.wait { (try? snapshot(root).owners).map { !$0.isEmpty && $0 != killed } == true && requested(2) })
        watch.kill(SIGTERM)
        #expect(watch.wait(timeout: 10) && watch.process.terminationStatus == 0, "a clean stop")
        let handedBack = try snapshot(root)
        #expect(handedBack.jobs == 2 && handedBack.owners.isEmpty, "the stop handed both jobs back")
        let run = try SluiceProcess(["run", "--root", root.path])
        #expect(run.wait(timeout: 60) && run.process.terminationStatus == 0)

        let done = try snapshot(root)
        #expect(done.jobs == 0)
        #expect(done.pets.map(\.photos) == [[photos[0]], [photos[1]]], "each pet has its one photo, listed")
        #expect(done.files.filter { photos.contains($0.id) }.allSatisfy { $0.status == .ready })
        #expect(root.list("upload/image").sorted() == photos.map { $0 + ".png" }.sorted() && root.list("upload/.part").isEmpty)
        #expect(server.slowly("a.png").started == 3 && server.slowly("b.png").started == 3, "one request per attempt")
        for (pet, photo) in zip(pets, photos) {
            let published = root.json("outbox/pets/\(pet).json")?["photos"] as? [[String: Any]]
            #expect(published?.compactMap { $0["id"] as? String } == [photo])
        }
    }

    /// A pet deleted while its photo downloads takes the photo with it: the download's late result stores nothing.
    @Test func aPetDeletedWhileItsPhotoDownloadsLeavesNothing() async throws {
        let server = try await LocalHTTPServer.start()
        defer { server.stop() }
        server.serve("a.png", try png(30, 20))
        let root = TemporaryRoot("e2e-pets-delete-mid")
        defer { root.remove() }
        let watch = try SluiceProcess(["watch", "--root", root.path])
        defer { watch.stop() }
        try root.drop("pet.json", json: #"{"op": "pet.create", "name": "a", "age": 1, "type": "dog"}"#)
        #expect(root.wait { root.json("outbox/receipts/pet.json") != nil })
        let pet = body(root, "pet.json")["id"] as? String ?? ""
        try root.drop("photo.json", json: #"{"op": "pet.photo", "pet_id": "\#(pet)", "url": "\#(server.base)/slowly/3000/a.png"}"#)
        #expect(root.wait { server.slowly("a.png").started == 1 })
        let photo = body(root, "photo.json")["id"] as? String ?? ""
        try root.drop("delete.json", json: #"{"op": "pets.delete", "ids": ["\#(pet)"]}"#)
        #expect(root.wait { body(root, "delete.json")["deleted"] as? Int == 1 })
        #expect(server.slowly("a.png").answered == 0, "the pet was deleted while its photo was still being fetched")
        // The server answers 3 s after the request; its late result finds neither File nor job.
        #expect(root.wait { server.slowly("a.png").answered == 1 })
        try await Task.sleep(for: .milliseconds(1000))
        #expect(root.list("upload/image").isEmpty && root.list("upload/.part").isEmpty)
        #expect(root.read("outbox/files/\(photo).json") == nil && root.read("outbox/pets/\(pet).json") == nil)
        let after = try snapshot(root)
        #expect(after.pets.isEmpty && after.files.isEmpty && after.jobs == 0)
    }

    @Test func theAPIKeyGuardsEveryRouteButHealth() async throws {
        let root = TemporaryRoot("e2e-pets-key")
        defer { root.remove() }
        let port = HTTPClient.freePort()
        let up = try SluiceProcess(["up", "--root", root.path, "--port", "\(port)", "--api-key", "s3cret"])
        defer { up.stop() }
        #expect(await HTTPClient.waitForReader(port: port))
        try root.drop("pet.json", json: #"{"op": "pet.create", "name": "boy", "age": 7, "type": "dog"}"#)
        #expect(root.wait { root.json("outbox/receipts/pet.json") != nil })
        let pet = try #require(root.json("outbox/receipts/pet.json")?["body"] as? [String: Any])["id"] as? String ?? ""
        let base = "http://127.0.0.1:\(port)"
        // What each route answers with the key (a pet's id is no file's: seed 000's `{}` for the File, 404 for its bytes).
        let routes: [(String, Int)] = [("/files", 200), ("/file/\(pet)", 200), ("/file/\(pet)/download", 404), ("/pets", 200),
                                       ("/pets/\(pet)", 200), ("/pets/index.json", 200), ("/receipts/pet.json", 200),
                                       ("/tasks", 200), ("/metrics", 200), ("/openapi.json", 200), ("/recent-receipts.json", 200),
                                       ("/no-such-thing", 404)]
        // The browse page itself opens without it (a browser cannot send a header when it navigates): it holds no data,
        // asks for the key, and sends it with every read.
        for page in ["/", "/index.html"] {
            #expect(try await HTTPClient.request(base + page).status == 200, "\(page) without the key")
        }
        for (route, status) in routes {
            let refused = try await HTTPClient.request(base + route)
            #expect(refused.status == 401 && refused.json?["error"] as? String == "unauthorized", "\(route) without the key")
            #expect(try await HTTPClient.request(base + route, headers: ["X-API-KEY": "s3cre"]).status == 401, "\(route), a wrong key")
            #expect(try await HTTPClient.request(base + route, headers: ["X-API-KEY": "s3cret"]).status == status, "\(route) with it")
        }
        // Without the key nothing is told, not even which methods a route takes; with it, writes are 405.
        #expect(try await HTTPClient.request(base + "/pets", method: "POST").status == 401)
        #expect(try await HTTPClient.request(base + "/pets", method: "POST", headers: ["X-API-KEY": "s3cret"]).status == 405)
        #expect(try await HTTPClient.request(base + "/healthz").status == 200)
        let empty = try SluiceProcess.run(["serve", "--root", root.path, "--api-key", ""])
        #expect(empty.status == 64 && empty.err.contains("--api-key must not be empty"), "\(empty.err)")
    }

    @Test func demoFillsAFreshRootThroughThePipeline() throws {
        let root = TemporaryRoot("e2e-demo")
        defer { root.remove() }
        let demo = try SluiceProcess.run(["demo", "--root", root.path, "--pets", "9"])
        #expect(demo.status == 0, "\(demo.err)")
        #expect(demo.out.contains("9 pets") && demo.out.contains("6 image tasks"))
        let index = try #require(root.json("outbox/pets/index.json"))
        #expect(index["count"] as? Int == 9 && index["with_photos"] as? Int == 6)
        // Eight photos, and six image tasks' results beside them.
        let tasks = try #require(root.json("outbox/tasks/page-0.json")?["tasks"] as? [[String: Any]])
        #expect(tasks.count == 6 && tasks.allSatisfy { $0["status"] as? String == "finished" })
        let results = Set(tasks.compactMap { $0["result_id"] as? String })
        #expect(root.list("outbox/results").count == 6 && results.count == 6)
        let stored = root.list("upload/image")
        #expect(stored.count == 14)
        let photos = stored.filter { !results.contains(String($0.prefix(36))) }
        #expect(photos.count == 8 && photos.allSatisfy { $0.hasSuffix(".jpg") })
        for name in photos {
            let bytes = try #require(root.read("upload/image/" + name))
            #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]) && bytes.count > 1000, "a real JPEG drawn by libgd")
        }
        #expect(root.list("inbox").filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
