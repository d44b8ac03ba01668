#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
public import SluiceCore

/// Writes the outbox from what changed in the catalogue since the last published version.
///
/// Every change carries the version of the transaction that made it, so a crash loses no publication: the
/// next pass (in any process) starts from the published version. One process publishes at a time (flock on
/// `.sluice/publish.lock`) and reads one consistent snapshot per pass, so an older state never overwrites a newer one.
public final class OutboxPublisher: @unchecked Sendable { // used from one thread at a time; the flock serialises processes.
    private let catalogue: any CatalogueStore
    private let outbox: OutboxFolders
    private let lockFD: Int32
    private let tag = "\(getpid())"
    /// From this many files in one phase of a pass, two threads write them: creating a file is kernel work that
    /// one core does at about 70,000 a second, and the pipeline's thread does not fill the other core.
    private let parallelFrom = 64
    /// Where the reader serves photos: published pets name their photos' urls with it.
    private let baseURL: String
    /// The recent receipts' summaries, kept between passes (used under the publish lock, by one thread at a time).
    private let summaries = RecentReceipts.SummaryCache()
    /// Objects written by held passes (used under the publish lock, by one thread at a time).
    private var writtenAhead = WrittenAhead(capacity: 8 << 20)
    /// A held pass kept changes back since the last pass that published everything: it looked at them up to
    /// `heldThrough`, and `stillMoving` were the Files and tasks moving then.
    private var heldBack = false
    private var heldThrough: Int64 = 0
    private var stillMoving = Set<String>()

    public init(root: String, catalogue: any CatalogueStore, baseURL: String = PhotoURL.defaultBase) throws {
        self.catalogue = catalogue
        self.baseURL = baseURL
        outbox = try OutboxFolders(root: root)
        let lockPath = root + "/" + RootLayout.publishLockFile
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw SystemCallError.current("open", lockPath) }
    }

    deinit { close(lockFD) }

    /// Removes temporary files that killed publishers left in the outbox.
    public func removeStaleTemporaries() {
        outbox.files.removeStaleTemporaries()
        outbox.receipts.removeStaleTemporaries()
        outbox.pets.removeStaleTemporaries()
        outbox.tasks.removeStaleTemporaries()
        outbox.results.removeStaleTemporaries()
        outbox.outbox.removeStaleTemporaries()
    }

    /// Writes `outbox/recent-receipts.json` when it is missing (a root from before it existed, or the file removed by
    /// hand) from the requests already published: a pass writes it only when it publishes receipts. Under the publish
    /// lock, on the publisher's thread (its summaries are that thread's).
    private func writeRecentReceiptsIfMissing() throws -> Bool {
        let name = RootLayout.recentReceiptsName
        guard faccessat(outbox.outbox.fd, name, F_OK, 0) != 0 else { return false }
        let requests = try catalogue.read { reading in try reading.recentRequests(limit: RecentReceipts.count, upTo: try reading.publishedVersion()) }
        try outbox.outbox.writeAtomically(name, RecentReceipts.render(requests, summaries: summaries), tempTag: "\(tag)-recent", replacing: true)
        return true
    }

    /// What a call of `publishPending` did.
    public struct Report: Sendable, Equatable {
        /// Outbox files written or removed.
        public var outputs = 0
        /// Committed write transactions it covered.
        public var versions: Int64 = 0
        /// Changes were kept back because objects in them are still moving (`holdingMoving`): the objects already
        /// settled were written ahead, the rest waits for a later call.
        public var held = false
    }

    /// Publishes every committed change, and `outbox/recent-receipts.json` if it is missing. `versionsPerPass` bounds
    /// how many write transactions one pass reads (and so its memory).
    ///
    /// With `holdingMoving`, changes that leave an object still moving (a File `pending` or `downloading`, a task
    /// `pending` or `processing`) are not published yet, and neither is anything else committed since the published
    /// version (so no receipt names an object not yet there): only the objects among them that have settled are
    /// written, ahead, and the call that publishes them later skips those still unchanged. A burst of fast downloads
    /// then costs one write of each object, not two. The caller bounds how long changes are held; a backlog of
    /// more than `holdableVersions` transactions is never held.
    @discardableResult
    public func publishPending(versionsPerPass: Int64 = 16, holdingMoving: Bool = false) throws -> Report {
        while flock(lockFD, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lockFD, LOCK_UN) }
        var report = Report()
        if holdingMoving, let ahead = try catalogue.read({ reading -> [[Output]]? in
            let published = try reading.publishedVersion()
            let current = try reading.currentVersion()
            forgetHoldUnlessPublishedBy(published)
            guard current > published, current - published <= Self.holdableVersions else { return nil }
            // Only what changed since the last held pass looked: an object that was moving then and has not changed
            // since is moving still.
            let from = heldBack ? heldThrough : published
            let changes = try renderObjects(after: from, upTo: current, reading, settledOnly: true)
            let moving = (heldBack ? stillMoving : []).subtracting(changes.settled).union(changes.moving)
            guard !moving.isEmpty else { return nil }
            stillMoving = moving
            heldThrough = current
            return [changes.results, changes.objects]
        }) {
            for phase in ahead {
                // Up to the memory kept for them; the rest waits for the pass that publishes it.
                var taken: [Output] = []
                var room = writtenAhead.room
                for output in phase where room > 0 {
                    taken.append(output)
                    room -= WrittenAhead.size(of: output)
                }
                try write(taken, parallel: false) // never urgent: the other core is left to the work held for
                for output in taken { writtenAhead.record(output) }
                report.outputs += taken.count
            }
            report.held = true
            heldBack = true
            return report
        }
        while true {
            let pass = try catalogue.read { reading -> (from: Int64, upTo: Int64, outputs: [[Output]])? in
                let published = try reading.publishedVersion()
                let current = try reading.currentVersion()
                forgetHoldUnlessPublishedBy(published)
                guard current > published else { return nil }
                // What held passes looked at is published in one snapshot (a hold never spans more than
                // `holdableVersions`), so no receipt goes out before an object it names that changed again later in
                // the range. Beyond it, `versionsPerPass` bounds a pass's memory; a backlog of more than that (a
                // large inbox, a publisher that was failing) may show a receipt a moment before such an object.
                let upTo = min(current, max(published + versionsPerPass, heldBack ? min(heldThrough, published + Self.holdableVersions) : 0))
                return (published, upTo, try render(after: published, upTo: upTo, reading))
            }
            guard let pass else {
                heldBack = false
                stillMoving = []
                writtenAhead.removeAll()
                if try writeRecentReceiptsIfMissing() { report.outputs += 1 }
                return report
            }
            for phase in pass.outputs {
                for output in phase { writtenAhead.forget(output) } // before: a phase that fails midway wrote some
                try write(phase)
            }
            try catalogue.write { try $0.markPublished(upTo: pass.upTo) }
            writtenAhead.published(upTo: pass.upTo)
            if pass.upTo >= heldThrough { heldBack = false } // what follows is read `versionsPerPass` at a time
            report.outputs += pass.outputs.reduce(0) { $0 + $1.count }
            report.versions += pass.upTo - pass.from
        }
    }

    /// At most this many committed transactions are held back by `publishPending(holdingMoving: true)`.
    static let holdableVersions: Int64 = 256

    /// What held passes wrote ahead and saw moving is known only while the published version is the one it was kept
    /// under: another process that published since may have written any of those files.
    private func forgetHoldUnlessPublishedBy(_ published: Int64) {
        if writtenAhead.publishedVersion != published {
            writtenAhead.reset(publishedVersion: published)
            heldBack = false
            stillMoving = []
        }
    }

    enum Output {
        case write(folder: Directory, name: String, bytes: [UInt8])
        /// A write of a file that most likely exists already (a listing page, an index, the recent receipts).
        case replace(folder: Directory, name: String, bytes: [UInt8])
        case remove(folder: Directory, name: String)
        /// A hard link to stored bytes (`from`, relative to the root): a task's result, shown without a copy.
        case link(from: String, folder: Directory, name: String)
    }

    /// The objects that changes in `(after, upTo]` make stale, rendered from the snapshot: tasks' result images (a
    /// phase before the tasks that name them: a task published finished has its result there), and the objects
    /// (files, pets, tasks), with the listing pages they are on. What a held pass wrote ahead and is unchanged since
    /// is left out. `settledOnly` leaves out objects still moving, and deletions, for a held pass, and names them.
    private struct ObjectChanges {
        var results: [Output] = []
        var objects: [Output] = []
        var filePages = Set<Int64>(), petPages = Set<Int64>(), taskPages = Set<Int64>()
        /// With `settledOnly`: the Files and tasks left out because they are still moving, and those that settled
        /// or went (by `movingKey`).
        var moving = Set<String>(), settled = Set<String>()
    }

    /// How `ObjectChanges` and `stillMoving` name a File (`f<id>`) or a task (`t<id>`).
    private static func movingKey(_ kind: Character, _ id: String) -> String { String(kind) + id }

    private func renderObjects(after: Int64, upTo: Int64, _ reading: any CatalogueReading, settledOnly: Bool) throws -> ObjectChanges {
        var changes = ObjectChanges()
        func add(_ output: Output, to outputs: inout [Output]) {
            if !writtenAhead.holds(output) { outputs.append(output) }
        }
        /// With `settledOnly`, notes `key` as moving or settled; true when its object is to be left out.
        func leavesOut(_ key: String, moving: Bool) -> Bool {
            guard settledOnly else { return false }
            if moving { changes.moving.insert(key) } else { changes.settled.insert(key) }
            return moving
        }
        for file in try reading.filesChanged(after: after, upTo: upTo) {
            if leavesOut(Self.movingKey("f", file.id), moving: file.status == .pending || file.status == .downloading) { continue }
            add(.write(folder: outbox.files, name: file.id + ".json", bytes: file.json), to: &changes.objects)
            changes.filePages.insert(file.page)
        }
        for pet in try reading.petsChanged(after: after, upTo: upTo) {
            add(.write(folder: outbox.pets, name: pet.id + ".json", bytes: pet.json(baseURL: baseURL)), to: &changes.objects)
            changes.petPages.insert(pet.seq / listingPageSize)
        }
        for task in try reading.tasksChanged(after: after, upTo: upTo) {
            if leavesOut(Self.movingKey("t", task.id), moving: task.status == .pending || task.status == .processing) { continue }
            add(.write(folder: outbox.tasks, name: task.id + ".json", bytes: task.json), to: &changes.objects)
            changes.taskPages.insert(task.seq / listingPageSize)
            if let name = task.resultPath, let result = try reading.file(id: task.resultID!), let stored = result.storedPath {
                add(.link(from: stored, folder: outbox.results, name: name), to: &changes.results)
            } else if let ext = task.resultExtension, !settledOnly {
                // Its result File was deleted: so is the copy shown.
                changes.results.append(.remove(folder: outbox.results, name: RootLayout.resultName(taskID: task.id, extension: ext)))
            }
        }
        guard !settledOnly else {
            for file in try reading.filesDeleted(after: after, upTo: upTo) { changes.settled.insert(Self.movingKey("f", file.id)) }
            return changes
        }
        for file in try reading.filesDeleted(after: after, upTo: upTo) {
            changes.objects.append(.remove(folder: outbox.files, name: file.id + ".json"))
            changes.filePages.insert(file.page)
        }
        for pet in try reading.petsDeleted(after: after, upTo: upTo) {
            changes.objects.append(.remove(folder: outbox.pets, name: pet.id + ".json"))
            changes.petPages.insert(pet.page)
        }
        return changes
    }

    /// The outbox files that changes in `(after, upTo]` make stale, rendered from the snapshot, in four phases written
    /// one after the other: tasks' result images, then the objects (files, pets, tasks), then the receipts that name
    /// them (what a dropper waits for comes next, and what it names is already there), then the listings. No name
    /// occurs twice in a phase, so the files of one phase may be written in any order.
    private func render(after: Int64, upTo: Int64, _ reading: any CatalogueReading) throws -> [[Output]] {
        let changes = try renderObjects(after: after, upTo: upTo, reading, settledOnly: false)

        // A drop name used twice in the pass: the later receipt replaces the earlier one, which is not written.
        var receipts: [Output] = []
        var receiptAt: [String: Int] = [:]
        for request in try reading.requestsCommitted(after: after, upTo: upTo) {
            let output = Output.write(folder: outbox.receipts, name: request.receiptName, bytes: request.receipt + [0x0A])
            if let earlier = receiptAt[request.receiptName] { receipts[earlier] = output; continue }
            receiptAt[request.receiptName] = receipts.count
            receipts.append(output)
        }

        var listings = try listing(changes.filePages, in: outbox.files, key: "files", bytesEach: 400, objects: reading.files(seqFrom:to:),
                                   write: { file, json in file.write(to: &json) }) {
            listingIndex(in: outbox.files, count: try reading.fileCount(), lastSeq: try reading.lastFileSeq())
        }
        listings += try listing(changes.petPages, in: outbox.pets, key: "pets", bytesEach: 300, objects: reading.pets(seqFrom:to:),
                                write: { pet, json in pet.write(to: &json, baseURL: baseURL) }) {
            listingIndex(in: outbox.pets, count: try reading.petCount(hasPhotos: nil), lastSeq: try reading.lastPetSeq(),
                         extra: ("with_photos", try reading.petCount(hasPhotos: true)))
        }
        listings += try listing(changes.taskPages, in: outbox.tasks, key: "tasks", bytesEach: 400, objects: reading.tasks(seqFrom:to:),
                                write: { task, json in task.write(to: &json) }) {
            listingIndex(in: outbox.tasks, count: try reading.taskCount(), lastSeq: try reading.lastTaskSeq())
        }
        if !receipts.isEmpty {
            listings.append(.replace(folder: outbox.outbox, name: RootLayout.recentReceiptsName,
                                   bytes: RecentReceipts.render(try reading.recentRequests(limit: RecentReceipts.count, upTo: upTo), summaries: summaries)))
        }
        return [changes.results, changes.objects, receipts, listings]
    }

    /// A listing's outputs for the `pages` a pass touched: each page rewritten from the snapshot (`objects` gives the
    /// objects of a seq range, about `bytesEach` of JSON each), then the index; none when no page was touched.
    private func listing<T>(_ pages: Set<Int64>, in folder: Directory, key: String, bytesEach: Int,
                            objects: (Int64, Int64) throws -> [T], write: (T, inout JSONWriter) -> Void,
                            index: () throws -> Output) throws -> [Output] {
        guard !pages.isEmpty else { return [] }
        var outputs: [Output] = []
        for page in pages.sorted() {
            let items = try objects(page * listingPageSize, (page + 1) * listingPageSize)
            outputs.append(listingPage(page, in: folder, key: key, capacity: bytesEach * items.count) { json in
                for item in items { write(item, &json) }
            })
        }
        outputs.append(try index())
        return outputs
    }

    /// `page-<n>.json`: `{"page", "per_page", "<key>": [objects with n×100 ≤ seq < n×100+100]}`.
    private func listingPage(_ page: Int64, in folder: Directory, key: String, capacity: Int,
                             objects: (inout JSONWriter) -> Void) -> Output {
        var json = JSONWriter(capacity: capacity + 64)
        json.beginObject()
        json.key("page"); json.int(Int(page))
        json.key("per_page"); json.int(Int(listingPageSize))
        json.key(key); json.beginArray()
        objects(&json)
        json.endArray()
        json.endObject()
        return .replace(folder: folder, name: OutboxListing.pageName(page), bytes: json.bytes)
    }

    /// `index.json`: `{"count", "per_page", "first_page", "last_page", "pages"}` and any `extra` count.
    private func listingIndex(in folder: Directory, count: Int, lastSeq: Int64, extra: (key: String, value: Int)? = nil) -> Output {
        let last = lastSeq / listingPageSize
        var json = JSONWriter()
        json.beginObject()
        json.key("count"); json.int(count)
        if let extra { json.key(extra.key); json.int(extra.value) }
        json.key("per_page"); json.int(Int(listingPageSize))
        json.key("first_page"); json.string(OutboxListing.pageName(0))
        json.key("last_page"); json.string(OutboxListing.pageName(last))
        json.key("pages"); json.int(Int(last) + 1)
        json.endObject()
        return .replace(folder: folder, name: OutboxListing.indexName, bytes: json.bytes)
    }

    /// Writes one phase: in order on this thread, or from `parallelFrom` files on (when `parallel`), every other file
    /// by a second one. Each writer has a temporary name of its own (`<pid>-w<n>`), which each of its writes renames away.
    private func write(_ phase: [Output], parallel: Bool = true) throws {
        guard parallel && phase.count >= parallelFrom else {
            for output in phase { try write(output, tempTag: "\(tag)-w0") }
            return
        }
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            for i in stride(from: writer, to: phase.count, by: 2) {
                do { try write(phase[i], tempTag: "\(tag)-w\(writer)") } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private func write(_ output: Output, tempTag: String) throws {
        switch output {
        case let .write(folder, name, bytes):
            try folder.writeAtomically(name, bytes, tempTag: tempTag)
        case let .replace(folder, name, bytes):
            try folder.writeAtomically(name, bytes, tempTag: tempTag, replacing: true)
        case let .remove(folder, name):
            if unlinkat(folder.fd, name, 0) != 0 && errno != ENOENT {
                throw SystemCallError.current("unlink", folder.path + "/" + name)
            }
        case let .link(from, folder, name):
            // Linked under a temporary name, then renamed over: a reader sees the whole result or none.
            let temp = ".tmp-\(tempTag)"
            unlinkat(folder.fd, temp, 0)
            if linkat(outbox.root.fd, from, folder.fd, temp, 0) != 0 {
                switch errno {
                case ENOENT:
                    // The bytes are gone: their File was deleted since this snapshot, which changed the task, so a
                    // later pass publishes it without a result (and removes this name).
                    return
                case EXDEV, EPERM, EMLINK:
                    // `outbox/` on another file system (or links refused): a copy, as uploads get (`Directory.copy`).
                    try folder.copy(from: outbox.root, from, to: name, through: temp)
                    return
                default:
                    throw SystemCallError.current("link", folder.path + "/" + name)
                }
            }
            guard renameat(folder.fd, temp, folder.fd, name) == 0 else { throw SystemCallError.current("rename", folder.path + "/" + name) }
        }
    }
}

/// Names of the paged listings under `outbox/files/`, `outbox/pets/` and `outbox/tasks/`.
public enum OutboxListing {
    /// `page-<n>.json`: the objects with `n*100 <= seq < (n+1)*100`, in listing order.
    public static func pageName(_ page: Int64) -> String { "page-\(page).json" }
    /// `index.json`: count, page size, first and last page.
    public static let indexName = "index.json"
}

