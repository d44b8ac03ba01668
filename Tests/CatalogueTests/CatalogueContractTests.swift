import Foundation
import Testing
@testable import Catalogue
import SluiceCore

/// One suite, both implementations: the in-memory hash table and the SQLite file.
enum Store: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite
    var testDescription: String { rawValue }

    /// A fresh catalogue, and what removes it when the test is done.
    func make() throws -> (any CatalogueStore, remove: @Sendable () -> Void) {
        switch self {
        case .memory: return (MemoryCatalogue(), {})
        case .sqlite:
            let dir = NSTemporaryDirectory() + "/catalogue-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return (try SQLiteCatalogue(path: dir + "/c.sqlite"), { try? FileManager.default.removeItem(atPath: dir) })
        }
    }
}

/// `count` pets made by `make(i)`, inserted in one transaction; returned with their seqs.
func insertPets(_ count: Int, into c: any CatalogueStore, _ make: (Int) -> PetRecord) throws -> [PetRecord] {
    try c.write { tx in
        try (0..<count).map { i in
            var pet = make(i)
            try tx.insertPet(&pet)
            return pet
        }
    }
}

func sampleFile(_ name: String = "f") -> FileRecord {
    FileRecord(id: Identifier.make(), url: "http://h/\(name)", name: name, addedAt: .now(), status: .pending)
}

@Suite struct CatalogueContractTests {
    @Test(arguments: Store.allCases) func filesRoundTripAndKeepTheirOrder(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        var inserted: [FileRecord] = []
        try c.write { tx in
            for i in 0..<5 { var f = sampleFile("n\(i)"); try tx.insertFile(&f); inserted.append(f) }
        }
        #expect(inserted.map(\.seq) == [1, 2, 3, 4, 5])
        try c.read { (r) throws in
            #expect(try r.file(id: inserted[2].id) == inserted[2])
            #expect(try r.files(afterSeq: 2, limit: 2).map(\.id) == [inserted[2].id, inserted[3].id])
            #expect(try r.files(seqFrom: 4, to: 100).count == 2)
            #expect(try r.fileCount() == 5)
        }
        var changed = inserted[0]
        changed.name = "from source"; changed.status = .ready; changed.size = 9; changed.kind = .text; changed.mime = "text/plain"
        changed.downloadTime = 0.5; changed.error = nil; changed.fileExtension = ".txt"
        let stored = StoredBytes(kind: .text, mime: "text/plain", fileExtension: ".txt", size: 9, downloadTime: 0.5)
        #expect(try c.write { try $0.updateFile(id: changed.id, stage: FileStageUpdate(status: .ready, stored: stored, sourceName: "from source")) })
        let read = try #require(try c.read { try $0.file(id: changed.id) })
        #expect(read.updatedAt > changed.updatedAt, "the change moved updated_at")
        changed.updatedAt = read.updatedAt
        #expect(read == changed, "and nothing else than the stage's fields")
        try c.write { try $0.deleteFile(id: inserted[4].id) }
        #expect(try c.read { try $0.fileCount() } == 4)
        var again = sampleFile()
        try c.write { try $0.insertFile(&again) }
        #expect(again.seq == 6, "a deleted file's seq is never reused, so listing pages stay put")
        #expect(try c.read { try $0.lastFileSeq() } == 6)
    }

    @Test(arguments: Store.allCases) func aThrowingWriteAppliesNothing(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try c.write { tx in
                var f = sampleFile()
                try tx.insertFile(&f)
                throw Boom()
            }
        }
        #expect(try c.read { try $0.fileCount() } == 0)
    }

    @Test(arguments: Store.allCases) func requestIdsCommitOnce(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        let r = RequestRecord(id: Identifier.make(), name: "a b\n.json", receiptName: "a b\n.json", receipt: Array("{}".utf8), destination: "inbox/.done/x")
        try c.write { try $0.insertRequest(r) }
        #expect(try c.read { try $0.request(id: r.id) } == r)
        #expect(throws: CatalogueError.duplicateRequest(r.id)) {
            try c.write { tx in
                var f = sampleFile()
                try tx.insertFile(&f)
                try tx.insertRequest(r)
            }
        }
        #expect(try c.read { try $0.fileCount() } == 0, "the duplicate's transaction rolled back whole")
    }

    @Test(arguments: Store.allCases) func changesCarryTheVersionOfTheirTransaction(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        #expect(try c.read { try $0.currentVersion() } == 0)
        var a = sampleFile("a"), b = sampleFile("b")
        try c.write { tx in try tx.insertFile(&a); try tx.insertFile(&b) }
        #expect(try c.read { try $0.currentVersion() } == 1, "one transaction, one version")
        #expect(try c.currentVersion() == 1, "read on its own, the same")
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p", now: .now(), limit: 1) }
        #expect(try c.read { try $0.currentVersion() } == 1, "a write that changes nothing takes no version")
        try c.write { tx in _ = try tx.editFile(id: a.id, name: "a2", comment: nil); try tx.deleteFile(id: b.id) }
        let r = RequestRecord(id: Identifier.make(), name: "r.json", receiptName: "r.json", receipt: [], destination: "inbox/.done/r")
        try c.write { try $0.insertRequest(r) }
        #expect(try c.currentVersion() == 3)
        try c.read { (r0) throws in
            #expect(try r0.currentVersion() == 3)
            #expect(try r0.filesChanged(after: 0, upTo: 1).isEmpty, "a changed again at 2, b is gone")
            #expect(try r0.filesChanged(after: 1, upTo: 3).map(\.name) == ["a2"])
            #expect(try r0.filesDeleted(after: 1, upTo: 2) == [DeletedObject(id: b.id, seq: b.seq)])
            #expect(try r0.requestsCommitted(after: 2, upTo: 3).map(\.id) == [r.id])
        }
        try c.write { try $0.markPublished(upTo: 3) }
        try c.write { try $0.markPublished(upTo: 2) }
        try c.read { (r1) throws in
            #expect(try r1.publishedVersion() == 3, "never moves back")
            #expect(try r1.filesDeleted(after: 0, upTo: 3).isEmpty, "published deletions are forgotten")
        }
    }

    @Test(arguments: Store.allCases) func jobsAreClaimedRetriedAndReleased(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        let now = Timestamp.now()
        let later = Timestamp(seconds: now.seconds + 3600)
        var f1 = sampleFile("1"), f2 = sampleFile("2")
        try c.write { try $0.insertFile(&f1); try $0.insertFile(&f2) }
        let a = Job(id: Identifier.make(), kind: .download, subject: f1.id, payload: "http://h/1", notBefore: now)
        let b = Job(id: Identifier.make(), kind: .download, subject: f2.id, payload: "http://h/2", notBefore: later)
        try c.write { try $0.enqueueJob(a); try $0.enqueueJob(b) }
        #expect(try c.read { try $0.unfinishedJobCount() } == 2)
        let claimed = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: now, limit: 10) }
        #expect(claimed == [a], "only due jobs are claimed")
        #expect(try c.write { try $0.claimJobs(kind: .download, owner: "p2", now: now, limit: 10) }.isEmpty, "a claimed job is not claimed twice")
        #expect(try c.read { try $0.jobOwners() } == ["p1"])
        #expect(try c.read { try $0.queuedJobCount() } == 1)
        // A clean hand-back spends no attempt; a dead owner's release spends one on a job that had begun, none on a
        // job it had only claimed (waiting its turn, its File still pending).
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: false) }.map(\.attempts) == [0])
        #expect(try c.read { try $0.jobOwners() } == [])
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: now, limit: 10) }
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }.map(\.attempts) == [0], "never began")
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: now, limit: 10) }
        #expect(try c.write { try $0.setFileStatus(id: f1.id, to: .downloading, from: [.pending]) })
        let released = try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }
        #expect(released.map(\.subject) == [f1.id] && released.map(\.attempts) == [1])
        #expect(try c.read { try $0.queuedJobCount() } == 2)
        let reclaimed = try c.write { try $0.claimJobs(kind: .download, owner: "p2", now: now, limit: 10) }
        #expect(reclaimed.map(\.id) == [a.id] && reclaimed.map(\.attempts) == [1])
        // Only the holder may finish or retry a job.
        #expect(try c.write { try $0.retryJob(id: a.id, owner: "p1", attempts: 2, notBefore: later) } == .notHeld)
        #expect(try c.write { try $0.finishJob(id: a.id, owner: "p1") } == .notHeld)
        #expect(try c.write { try $0.retryJob(id: a.id, owner: "p2", attempts: 2, notBefore: later) } == .held)
        #expect(try c.read { try $0.nextJobDue(kind: .download) } == later)
        #expect(try c.write { try $0.finishJob(id: a.id, owner: nil) } == .held, "nil: a job nobody holds")
        #expect(try c.write { try $0.finishJob(id: a.id, owner: nil) } == .gone)
        try c.write { try $0.deleteJobs(subject: f2.id) }
        #expect(try c.read { try $0.unfinishedJobCount() } == 0)
    }

    @Test(arguments: Store.allCases) func aStageNeverOverwritesWhatAUserSet(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        var f = sampleFile("provisional")
        try c.write { try $0.insertFile(&f) }
        // The user renames and comments while the stage runs; the stage's result then sets only what it owns.
        let edited = try c.write { try $0.editFile(id: f.id, name: "mine.bin", comment: "keep") }
        #expect(edited?.name == "mine.bin" && edited?.nameSetByUser == true)
        #expect(try c.write { try $0.setFileStatus(id: f.id, to: .downloading, from: [.pending]) })
        #expect(try !c.write { try $0.setFileStatus(id: f.id, to: .downloading, from: [.pending]) }, "only from the states given")
        let stored = StoredBytes(kind: .image, mime: "image/png", fileExtension: ".png", size: 70, downloadTime: 0.25)
        #expect(try c.write { try $0.updateFile(id: f.id, stage: FileStageUpdate(status: .ready, stored: stored, sourceName: "server.png")) })
        let after = try #require(try c.read { try $0.file(id: f.id) })
        #expect(after.name == "mine.bin" && after.comment == "keep", "the user's fields survive the stage's result")
        #expect(after.status == .ready && after.mime == "image/png" && after.size == 70 && after.storedPath == "upload/image/\(f.id).png")
        #expect(!after.imageTruncated)
        // What the stored bytes say of the image is kept: its size, and whether it stops before its end.
        var cut = sampleFile("cut.jpg")
        cut.imageSize = ImageHeader(width: 40, height: 30)
        cut.imageTruncated = true
        try c.write { try $0.insertFile(&cut) }
        let keptCut = try #require(try c.read { try $0.file(id: cut.id) })
        #expect(keptCut.imageTruncated && keptCut.imageSize == ImageHeader(width: 40, height: 30))
        let whole = StoredBytes(kind: .image, mime: "image/jpeg", fileExtension: ".jpg", size: 900, imageSize: ImageHeader(width: 8, height: 6))
        #expect(try c.write { try $0.updateFile(id: cut.id, stage: FileStageUpdate(status: .ready, stored: whole)) })
        let restored = try #require(try c.read { try $0.file(id: cut.id) })
        #expect(!restored.imageTruncated && restored.imageSize == ImageHeader(width: 8, height: 6), "stored again, whole")
        #expect(try c.write { try $0.updateFile(id: cut.id, stage: FileStageUpdate(status: .error, error: "x")) })
        #expect(try c.read { try $0.file(id: cut.id) }?.imageSize == ImageHeader(width: 8, height: 6), "no bytes stored: kept")
        // Without a rename, the source's name is taken; a later failure keeps what was stored.
        var g = sampleFile("g")
        try c.write { try $0.insertFile(&g) }
        _ = try c.write { try $0.editFile(id: g.id, name: nil, comment: "only a comment") }
        _ = try c.write { try $0.updateFile(id: g.id, stage: FileStageUpdate(status: .pending, error: "attempt 1 failed", sourceName: "from-server.txt")) }
        let named = try #require(try c.read { try $0.file(id: g.id) })
        #expect(named.name == "from-server.txt" && named.comment == "only a comment" && named.error == "attempt 1 failed")
        #expect(try !c.write { try $0.updateFile(id: Identifier.make(), stage: FileStageUpdate(status: .ready)) }, "a deleted file is not recreated")
        #expect(try c.write { try $0.editFile(id: Identifier.make(), name: "x", comment: nil) } == nil)
    }

    /// `updated_at` moves with every change to a File (a rename, a comment, its status, its bytes); `added_at` never.
    @Test(arguments: Store.allCases) func everyChangeMovesUpdatedAtAndNoneMovesAddedAt(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        var f = sampleFile("f")
        try c.write { try $0.insertFile(&f) }
        var last = try #require(try c.read { try $0.file(id: f.id) })
        #expect(last.updatedAt == last.addedAt, "a new File was last changed when it was added")
        let changes: [(String, (any CatalogueWriting) throws -> Void)] = [
            ("a rename", { _ = try $0.editFile(id: f.id, name: "g", comment: nil) }),
            ("a comment", { _ = try $0.editFile(id: f.id, name: nil, comment: "c") }),
            ("a status", { _ = try $0.setFileStatus(id: f.id, to: .downloading, from: [.pending]) }),
            ("stored bytes", { _ = try $0.updateFile(id: f.id, stage: FileStageUpdate(status: .ready,
                stored: StoredBytes(kind: .text, mime: "text/plain", fileExtension: ".txt", size: 3))) }),
        ]
        for (what, change) in changes {
            usleep(2_000)
            try c.write { try change($0) }
            let now = try #require(try c.read { try $0.file(id: f.id) })
            #expect(now.updatedAt > last.updatedAt, "\(what) moves updated_at")
            #expect(now.addedAt == f.addedAt, "\(what) leaves added_at")
            last = now
        }
        // What a user's edit returns is the File as kept, updated_at included.
        usleep(2_000)
        let edited = try #require(try c.write { try $0.editFile(id: f.id, name: "h", comment: nil) })
        #expect(edited == (try c.read { try $0.file(id: f.id) }) && edited.updatedAt > last.updatedAt)
        last = edited
        // No change, no move: a refused status change, another File's change.
        usleep(2_000)
        #expect(try !c.write { try $0.setFileStatus(id: f.id, to: .downloading, from: [.pending]) })
        var other = sampleFile("other")
        try c.write { try $0.insertFile(&other) }
        _ = try c.write { try $0.editFile(id: other.id, name: "o", comment: nil) }
        #expect(try c.read { try $0.file(id: f.id) }?.updatedAt == last.updatedAt)
    }

    @Test(arguments: Store.allCases) func placedBytesAreCleanedUpWhenTheirJobGoesAway(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        let now = Timestamp.now()
        let job = Job(id: Identifier.make(), kind: .download, subject: "f1", payload: "http://h/1", notBefore: now)
        try c.write { try $0.enqueueJob(job) }
        #expect(try c.write { try $0.recordPlacement(job: job, owner: "p1", path: "upload/text/f1.txt") } == .notHeld, "only its owner may")
        let first = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: now, limit: 1) }
        #expect(try c.write { try $0.recordPlacement(job: first[0], owner: "p1", path: "upload/text/f1.txt") } == .held)
        // The owner dies before committing; the next attempt places elsewhere: the first bytes are queued for removal.
        _ = try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }
        let again = try c.write { try $0.claimJobs(kind: .download, owner: "p2", now: now, limit: 1) }
        #expect(again.first?.placedPath == "upload/text/f1.txt", "a new attempt learns where the last one linked")
        #expect(try c.write { try $0.recordPlacement(job: again[0], owner: "p2", path: "upload/image/f1.png") } == .held)
        #expect(try c.read { try $0.pendingUnlinks(limit: 10) } == ["upload/text/f1.txt"])
        // An attempt that comes back to the first path withdraws its queued removal.
        _ = try c.write { try $0.releaseJobs(owner: "p2", countingAnAttempt: true) }
        let third = try c.write { try $0.claimJobs(kind: .download, owner: "p3", now: now, limit: 1) }
        #expect(try c.write { try $0.recordPlacement(job: third[0], owner: "p3", path: "upload/text/f1.txt") } == .held)
        #expect(try c.read { try $0.pendingUnlinks(limit: 10) } == ["upload/image/f1.png"])
        // Deleting the subject's jobs removes what they placed.
        try c.write { try $0.deleteJobs(subject: "f1") }
        #expect(Set(try c.read { try $0.pendingUnlinks(limit: 10) }) == ["upload/text/f1.txt", "upload/image/f1.png"])
        #expect(try c.write { try $0.recordPlacement(job: third[0], owner: "p3", path: "upload/text/f1.txt") } == .gone)
        #expect(try c.read { try $0.unfinishedJobCount() } == 0)
    }

    @Test(arguments: Store.allCases) func petsListTheirReadyPhotosAndCountThemselves(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        let pets = try insertPets(5, into: c) { PetRecord(id: Identifier.make(), name: "pet \($0)", age: $0, type: $0 % 2 == 0 ? .dog : .cat, createdAt: .now()) }
        #expect(pets.map(\.seq) == [1, 2, 3, 4, 5])
        var photo = sampleFile("photo.png"), pending = sampleFile("later.png")
        try c.write { tx in
            try tx.insertFile(&photo); try tx.insertFile(&pending)
            try tx.attachPhoto(fileID: photo.id, petID: pets[1].id, ready: true)
            try tx.attachPhoto(fileID: pending.id, petID: pets[3].id, ready: false)
        }
        try c.read { (r) throws in
            #expect(try r.pet(id: pets[1].id)?.photos == [photo.id])
            #expect(try r.pet(id: pets[3].id)?.photos == [], "a photo still downloading is not listed")
            #expect(try r.photoOwner(fileID: pending.id) == pets[3].id)
            #expect(try r.petCount(hasPhotos: nil) == 5 && r.petCount(hasPhotos: true) == 1 && r.petCount(hasPhotos: false) == 4)
            #expect(try r.pets(hasPhotos: true, offset: 0, limit: 10).map(\.id) == [pets[1].id])
            #expect(try r.pets(hasPhotos: false, offset: 1, limit: 2).map(\.id) == [pets[2].id, pets[3].id])
            #expect(try r.pets(hasPhotos: nil, offset: 3, limit: 10).map(\.id) == [pets[3].id, pets[4].id])
            #expect(try r.pets(afterSeq: 2, limit: 10, hasPhotos: false).map(\.id) == [pets[2].id, pets[3].id, pets[4].id])
        }
        let before = try c.read { try $0.currentVersion() }
        #expect(try c.write { try $0.markPhotoReady(fileID: pending.id) })
        try c.read { (r) throws in
            #expect(try r.pet(id: pets[3].id)?.photos == [pending.id])
            #expect(try r.petCount(hasPhotos: true) == 2)
            #expect(try r.petsChanged(after: before, upTo: r.currentVersion()).map(\.id) == [pets[3].id], "the pet is published again")
        }
        // Deleting a photo's File takes it off its pet; deleting a pet returns its photos for the caller to delete.
        try c.write { try $0.deleteFile(id: photo.id) }
        #expect(try c.read { try $0.pet(id: pets[1].id)?.photos } == [])
        #expect(try c.read { try $0.petCount(hasPhotos: true) } == 1)
        let mark = try c.read { try $0.currentVersion() }
        #expect(try c.write { try $0.deletePet(id: pets[3].id) } == [pending.id])
        #expect(try c.write { try $0.deletePet(id: pets[3].id) } == nil)
        try c.read { (r) throws in
            #expect(try r.petCount(hasPhotos: nil) == 4 && r.petCount(hasPhotos: true) == 0)
            #expect(try r.petsDeleted(after: mark, upTo: r.currentVersion()) == [DeletedObject(id: pets[3].id, seq: 4)])
            #expect(try r.photoOwner(fileID: pending.id) == nil)
            #expect(try r.lastPetSeq() == 5)
        }
    }

    /// Pages found through the kept per-range counts agree with a plain scan, across ranges, photos and deletions.
    @Test(arguments: Store.allCases) func petPagesAgreeWithAPlainScanAcrossThousands(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        let pets = try insertPets(2_600, into: c) { PetRecord(id: Identifier.make(), name: "p\($0)", age: $0 % 100, type: .cat, createdAt: .now()) }
        // Photos: every 7th pet one, ready; every 13th two more; every 11th one still downloading, of which every
        // 22nd's is stored later. Then every 21st pet loses its first photo's File, and every 5th pet is deleted.
        var firstPhoto: [Int: String] = [:], pending: [Int: String] = [:]
        try c.write { tx in
            for (i, pet) in pets.enumerated() {
                var count = i % 7 == 0 ? 1 : 0
                if i % 13 == 0 { count += 2 }
                for k in 0..<count {
                    var photo = sampleFile("p\(i)-\(k).png")
                    try tx.insertFile(&photo)
                    try tx.attachPhoto(fileID: photo.id, petID: pet.id, ready: true)
                    if k == 0 { firstPhoto[i] = photo.id }
                }
                if i % 11 == 0 {
                    var photo = sampleFile("p\(i)-later.png")
                    try tx.insertFile(&photo)
                    try tx.attachPhoto(fileID: photo.id, petID: pet.id, ready: false)
                    pending[i] = photo.id
                }
            }
        }
        try c.write { tx in
            for (i, photo) in pending where i % 22 == 0 { _ = try tx.markPhotoReady(fileID: photo) }
            for (i, photo) in firstPhoto where i % 21 == 0 { try tx.deleteFile(id: photo) }
            for (i, pet) in pets.enumerated() where i % 5 == 0 { _ = try tx.deletePet(id: pet.id) }
        }
        func photoCount(_ i: Int) -> Int {
            var n = (i % 7 == 0 ? 1 : 0) + (i % 13 == 0 ? 2 : 0) + (i % 22 == 0 ? 1 : 0)
            if i % 21 == 0 && firstPhoto[i] != nil { n -= 1 }
            return n
        }
        let alive = pets.indices.filter { $0 % 5 != 0 }
        let expected: [Bool?: [String]] = [
            nil: alive.map { pets[$0].id },
            true: alive.filter { photoCount($0) > 0 }.map { pets[$0].id },
            false: alive.filter { photoCount($0) == 0 }.map { pets[$0].id },
        ]
        try c.read { (r) throws in
            for (hasPhotos, ids) in expected {
                #expect(try r.petCount(hasPhotos: hasPhotos) == ids.count)
                for offset in [0, 1, 19, 799, 800, 999, 1_000, 1_234, ids.count - 3, ids.count, ids.count + 50] {
                    let page = try r.pets(hasPhotos: hasPhotos, offset: offset, limit: 20).map(\.id)
                    #expect(page == Array(ids.dropFirst(offset).prefix(20)), "has_photos \(String(describing: hasPhotos)), offset \(offset)")
                }
            }
            for i in alive where i % 7 == 0 || i % 11 == 0 || i % 13 == 0 {
                #expect(try r.pet(id: pets[i].id)?.photos.count == photoCount(i), "pet \(i)'s listed photos")
            }
        }
    }

    @Test(arguments: Store.allCases) func unlinksAreRemembered(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        try c.write { try $0.addUnlink("upload/text/a.txt"); try $0.addUnlink("upload/text/b.txt") }
        #expect(Set(try c.read { try $0.pendingUnlinks(limit: 10) }) == ["upload/text/a.txt", "upload/text/b.txt"])
        try c.write { try $0.removeUnlinks(["upload/text/a.txt"]) }
        #expect(try c.read { try $0.pendingUnlinks(limit: 10) } == ["upload/text/b.txt"])
    }
}

@Suite struct SQLiteCatalogueTests {
    @Test(arguments: Store.allCases) func aJobMarkedBegunSpendsAnAttemptHoweverSoonItsOwnerDied(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        var file = sampleFile("quick")
        try c.write { try $0.insertFile(&file) }
        let job = Job(id: Identifier.make(), kind: .download, subject: file.id, payload: "http://h/q", notBefore: .now())
        try c.write { try $0.enqueueJob(job) }
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: .now(), limit: 1) }
        // Begun (its transfer connected) while its File still shows pending: a death now spends an attempt.
        try c.write { try $0.markBegun(jobIDs: [job.id], owner: "p2") } // not p2's: nothing noted
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }.map(\.attempts) == [0], "marked by another: not begun")
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: .now(), limit: 1) }
        try c.write { try $0.markBegun(jobIDs: [job.id], owner: "p1") }
        #expect(try c.read { try $0.file(id: file.id)?.status } == .pending)
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }.map(\.attempts) == [1])
        // Back in the queue it is no longer begun: claimed again and released, it spends nothing more.
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: .now(), limit: 1) }
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }.map(\.attempts) == [1])
        // A retry clears it too.
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: .now(), limit: 1) }
        try c.write { try $0.markBegun(jobIDs: [job.id], owner: "p1") }
        #expect(try c.write { try $0.retryJob(id: job.id, owner: "p1", attempts: 2, notBefore: .now()) } == .held)
        _ = try c.write { try $0.claimJobs(kind: .download, owner: "p1", now: .now(), limit: 1) }
        #expect(try c.write { try $0.releaseJobs(owner: "p1", countingAnAttempt: true) }.map(\.attempts) == [2])
    }

    @Test(arguments: Store.allCases) func tasksMoveOnlyFromTheStatesGivenAndLoseADeletedResult(store: Store) throws {
        let (c, remove) = try store.make()
        defer { remove() }
        var source = sampleFile("src.png")
        var task = TaskRecord(id: Identifier.make(), sourceID: source.id, status: .pending, algorithm: "flip", params: Array("null".utf8), createdAt: .now())
        let created = try c.write { tx -> Int64 in
            try tx.insertFile(&source)
            try tx.insertTask(&task)
            try tx.enqueueJob(Job(id: Identifier.make(), kind: .image, subject: task.id, payload: "", notBefore: .now()))
            return try tx.currentVersion()
        }
        #expect(task.seq == 1)
        #expect(try c.read { try $0.task(id: task.id) } == task)
        #expect(try c.read { try ($0.taskCount(), $0.lastTaskSeq()) } == (1, 1))
        #expect(try c.read { try $0.tasksChanged(after: created - 1, upTo: created).map(\.id) } == [task.id])

        // A claimed image job whose owner died while it was processing spends an attempt; a pending one does not.
        let owner = "p1"
        let claimed = try c.write { try $0.claimJobs(kind: .image, owner: owner, now: .now(), limit: 10) }
        #expect(claimed.count == 1)
        #expect(try c.write { try $0.updateTask(id: task.id, stage: TaskStageUpdate(status: .processing), from: [.pending]) })
        #expect(try c.write { try $0.releaseJobs(owner: owner, kind: .download, countingAnAttempt: true) }.isEmpty, "only the kind asked for")
        #expect(try c.write { try $0.releaseJobs(owner: owner, kind: .image, countingAnAttempt: true) }.map(\.attempts) == [1])

        // Finished once, with its result; no later update moves it from there unless the state is allowed.
        var result = sampleFile("src-flip.png")
        try c.write { tx in
            try tx.insertFile(&result)
            #expect(try tx.updateTask(id: task.id, stage: TaskStageUpdate(status: .finished, result: (result.id, ".png")), from: [.pending, .processing]))
        }
        #expect(try c.write { try $0.updateTask(id: task.id, stage: TaskStageUpdate(status: .error, error: "late"), from: [.pending, .processing]) } == false)
        #expect(try c.write { try $0.updateTask(id: task.id, stage: TaskStageUpdate(status: .pending), from: [.error]) } == false)
        let finished = try #require(try c.read { try $0.task(id: task.id) })
        #expect(finished.status == .finished && finished.resultID == result.id && finished.resultPath == "\(task.id).png")
        #expect(finished.updatedAt >= finished.createdAt)

        // Deleting the result File leaves the task finished, without a result, and marks it changed for the outbox.
        let before = try c.read { try $0.currentVersion() }
        try c.write { try $0.deleteFile(id: result.id) }
        let after = try c.read { try $0.currentVersion() }
        let orphaned = try #require(try c.read { try $0.task(id: task.id) })
        #expect(orphaned.status == .finished && orphaned.resultID == nil && orphaned.resultPath == nil && orphaned.resultExtension == ".png")
        #expect(try c.read { try $0.tasksChanged(after: before, upTo: after).map(\.id) } == [task.id])
        #expect(try c.read { try $0.tasks(afterSeq: 0, limit: 10).map(\.id) } == [task.id])
        #expect(try c.read { try $0.tasks(seqFrom: 0, to: 100).count } == 1)
    }

    @Test func secondProcessViewSeesCommittedRowsReadOnly() throws {
        let dir = NSTemporaryDirectory() + "/catalogue-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SQLiteCatalogue(path: dir + "/c.sqlite")
        let reader = try SQLiteCatalogue(path: dir + "/c.sqlite", readOnly: true)
        var f = sampleFile()
        #expect(try reader.currentVersion() == 0)
        try writer.write { try $0.insertFile(&f) }
        #expect(try reader.read { try $0.file(id: f.id) } == f)
        #expect(try reader.currentVersion() == 1, "each read of the version sees the last commit")
        try writer.write { try $0.deleteFile(id: f.id) }
        #expect(try reader.currentVersion() == 2)
        // A file that is no catalogue: SQLite's own words, as the reader's 503 says them.
        let garbage = dir + "/not-a-catalogue.sqlite"
        try Data(repeating: 7, count: 8192).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: CatalogueError.storage(code: 26, message: "file is not a database")) {
            try SQLiteVersionQuery(path: garbage, busyTimeout: 1).currentVersion()
        }
        #expect(throws: CatalogueError.self) { try reader.write { tx in var g = sampleFile(); try tx.insertFile(&g) } }
    }
}
