#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
public import Spool
import Publish
public import Logging
import SystemPackage

/// The spool's consumer: claims inbox entries, applies them in batched transactions, finishes them, publishes.
///
/// Exactly once: a drop's effects and its request id commit together; a claimed file whose request id is
/// committed is only finished (moved to its destination), never applied again.
public final class IngestLoop: @unchecked Sendable { // driven from one thread at a time (the pipeline thread or `run`).
    public let layout: RootLayout
    public let work: WorkDirectory
    let catalogue: any CatalogueStore
    let configuration: PipelineConfiguration
    let claimer: InboxClaimer
    let reader: DropReader
    let executor: RequestExecutor
    let publisher: OutboxPublisher
    let logger: Logger
    /// Called after each commit: committed changes wait to be published.
    public var onCommit: @Sendable () -> Void = {}
    /// Drops handled since start, for summaries.
    public private(set) var handled = 0
    public private(set) var rejected = 0

    public init(layout: RootLayout, catalogue: any CatalogueStore, configuration: PipelineConfiguration, logger: Logger) throws {
        self.layout = layout
        self.catalogue = catalogue
        self.configuration = configuration
        self.logger = logger
        work = try WorkDirectory(inbox: layout.inbox)
        claimer = InboxClaimer(inbox: layout.inbox, work: work)
        reader = DropReader(limits: configuration.limits)
        executor = RequestExecutor(limits: configuration.limits, baseURL: configuration.baseURL)
        publisher = try OutboxPublisher(root: configuration.root, catalogue: catalogue, baseURL: configuration.baseURL)
        try IndexPage.install(root: configuration.root)
    }

    /// At start-up: finishes what stopped processes (and an earlier run of ours) left, as `takeOverStoppedWork`
    /// does, and removes the temporary files killed writers left.
    public func recover() throws {
        try takeOverStoppedWork()
        layout.rejected.removeStaleTemporaries()
        layout.partial.removeStaleTemporaries()
        publisher.removeStaleTemporaries()
        onCommit() // a pass, which also writes the recent receipts if they are missing
    }

    /// Finishes what stopped processes (and an earlier failed pass of ours) left: their claimed drops, their jobs
    /// (whatever state their work folders are in) and pending unlinks. Cheap enough to run every few seconds, so a
    /// process that dies beside this one is taken over without a restart.
    public func takeOverStoppedWork() throws {
        var claims = try work.ownClaims()
        var released = 0
        for abandoned in try work.deadOwners() {
            let jobs = try catalogue.write { tx in try release(abandoned.owner, tx) }
            let adopted = try abandoned.adopt(into: work)
            if jobs > 0 || !adopted.isEmpty {
                logger.notice("recovered the work of a stopped process", metadata: ["owner": "\(abandoned.owner)", "claims": "\(adopted.count)", "jobs": "\(jobs)"])
            }
            claims += adopted
            released += jobs
        }
        // Jobs whose owner holds no lock, its folder gone or never there: that process is gone too.
        for owner in try catalogue.read({ try $0.jobOwners() }) where !work.isAlive(owner: owner) {
            let jobs = try catalogue.write { tx in try release(owner, tx) }
            if jobs > 0 { logger.notice("released the jobs of a stopped process", metadata: ["owner": "\(owner)", "jobs": "\(jobs)"]) }
            released += jobs
        }
        var fresh: [(ClaimedDrop, Drop)] = []
        for claim in claims {
            if let record = try catalogue.read({ try $0.request(id: claim.requestID) }) {
                finish(claim, record)
            } else if let entry = claimer.reopen(claim) {
                fresh.append((claim, reader.read(claim, entry, receivedAt: .now())))
            }
        }
        if !fresh.isEmpty { commitAndFinish(fresh) }
        try removePendingUnlinks()
        if released > 0 || !claims.isEmpty { onCommit() }
    }

    /// The jobs of an owner that died: back to the queue, an attempt spent.
    private func release(_ owner: String, _ tx: any CatalogueWriting) throws -> Int {
        try JobRelease.release(owner: owner, abandoned: true, maxAttempts: configuration.maxAttempts, in: tx)
    }

    /// Drops left claimed in this process's folder because their commit failed (taken again by `takeOverStoppedWork`).
    public func claimsLeft() throws -> Int { try work.ownClaims().count }

    /// What a drain of the inbox did.
    public struct DrainReport: Sendable {
        public var handled = 0
        /// Still open for writing: left for their close.
        public var busy = 0
        /// Arrived after the drain's `arrivedBy`: left for a later drain.
        public var later = 0
    }

    /// Takes everything in `inbox/` now, listing it again while that finds more. Files still being written are left
    /// for their close; with `arrivedBy`, so are drops that arrived after it (a `run` takes what was there when it
    /// began, so a steady stream cannot keep it going). Returns early, between batches, once `stopRequested`.
    @discardableResult
    public func drainInbox(arrivedBy: Timestamp? = nil, stopRequested: () -> Bool = { false }) throws -> DrainReport {
        var report = DrainReport()
        while !stopRequested() {
            let names = try layout.inbox.entries().map(\.name)
            if names.isEmpty { break }
            var progressed = false
            report.busy = 0
            report.later = 0
            var batch: [(ClaimedDrop, Drop)] = []
            batch.reserveCapacity(configuration.ingestBatch)
            for name in names {
                switch claimer.claim(name, arrivedBy: arrivedBy) {
                case let .claimed(claim, entry):
                    batch.append((claim, reader.read(claim, entry, receivedAt: .now())))
                    progressed = true
                case .busy: report.busy += 1
                case .later: report.later += 1
                case .gone: continue
                }
                if batch.count >= configuration.ingestBatch {
                    report.handled += commitAndFinish(batch)
                    batch.removeAll(keepingCapacity: true)
                    if stopRequested() { return report }
                }
            }
            if !batch.isEmpty { report.handled += commitAndFinish(batch) }
            try removePendingUnlinks()
            if !progressed { break }
        }
        return report
    }

    /// Applies a batch in one transaction, or one by one when the batch fails; then moves each file on.
    /// An upload's bytes are linked into `upload/` before the commit, so a published File always has its bytes.
    @discardableResult
    func commitAndFinish(_ batch: [(ClaimedDrop, Drop)]) -> Int {
        let batch = batch.filter { claim, drop in storeUpload(claim, drop) }
        let records: [RequestRecord?]
        do {
            records = try catalogue.write { tx in try batch.map { try executor.apply($0.1, in: tx) } }
        } catch {
            records = batch.map { claim, drop in
                do {
                    return try catalogue.write { tx in try executor.apply(drop, in: tx) }
                } catch CatalogueError.duplicateRequest {
                    return try? catalogue.read { try $0.request(id: claim.requestID) }
                } catch {
                    logger.error("could not commit a drop; it stays claimed and is retried in a few seconds", metadata: ["request": "\(drop.name)", "error": "\(error)"])
                    return nil
                }
            }
        }
        if records.contains(where: { $0 != nil }) { try? FaultPoint.ingestAfterCommit.reach() }
        var count = 0
        for (entry, record) in zip(batch, records) {
            guard let record else { continue }
            // Linked before the commit unless the commit was another process's (then it may have linked another name).
            finish(entry.0, record, linked: entry.1.uploadPath == record.destination)
            count += 1
            if record.isRejected { rejected += 1 }
        }
        handled += count
        if count > 0 { onCommit() }
        return count
    }

    /// Links an upload's claimed bytes to their place in `upload/` (already there after a crash: fine).
    /// False when that failed; the drop then stays claimed and is tried again.
    private func storeUpload(_ claim: ClaimedDrop, _ drop: Drop) -> Bool {
        guard let path = drop.uploadPath else { return true }
        do {
            try place(claim, at: path)
            return true
        } catch {
            logger.error("could not store an upload; it stays claimed and is retried in a few seconds",
                         metadata: ["upload": "\(drop.name)", "to": "\(path)", "error": "\(error)"])
            return false
        }
    }

    /// Gives a claimed upload's bytes their name in `upload/`: a hard link, or a copy where none can be made (across
    /// file systems, or a file of another user's that the kernel will not let this one link). The copy is written in
    /// `upload/.part/`, which start-up clears of a killed writer's leftovers, then renamed into place.
    private func place(_ claim: ClaimedDrop, at path: String) throws {
        if linkat(work.directory.fd, claim.claimedPath, layout.root.fd, path, 0) == 0 || errno == EEXIST { return }
        guard errno == EXDEV || errno == EPERM else { throw SystemCallError.current("link", path) }
        try layout.root.copy(from: work.directory, claim.claimedPath, to: path,
                             through: RootLayout.partialFolder + "/.tmp-\(getpid())-copy")
    }

    /// Moves a committed drop's file to its destination (idempotent: a missing file is already there).
    /// An upload's bytes are linked into place before the commit (`linked`), so only the claim is removed. When
    /// recovering, the link is made now, and undone if the File was deleted since its commit.
    func finish(_ claim: ClaimedDrop, _ record: RequestRecord, linked: Bool = false) {
        defer { if let folder = claim.folder { unlinkat(work.directory.fd, folder, AT_REMOVEDIR) } }
        if record.destination.hasPrefix(RootLayout.uploadFolder + "/") {
            if linked || (try? place(claim, at: record.destination)) != nil {
                // Checked after the link: a deletion committed before it never sees these bytes, so they go here;
                // one committed after it removes them itself.
                if !linked, fileIsGone(record.id) { unlinkat(layout.root.fd, record.destination, 0) }
                unlinkat(work.directory.fd, claim.claimedPath, 0)
            }
            return
        }
        if record.isRejected {
            let note = String(record.destination.dropFirst(RootLayout.rejectedFolder.count + 1)) + ".error"
            try? layout.rejected.writeAtomically(note, record.receipt + [0x0A], tempTag: "\(getpid())-note")
        }
        if renameat(work.directory.fd, claim.claimedPath, layout.root.fd, record.destination) != 0 && errno != ENOENT {
            logger.error("could not move a finished drop", metadata: ["from": "\(claim.claimedPath)", "to": "\(record.destination)", "error": "\(Errno(rawValue: errno))"])
        }
    }

    /// True when the catalogue says the File `id` no longer exists (false when it cannot say).
    private func fileIsGone(_ id: String) -> Bool {
        do { return try catalogue.read { try $0.file(id: id) } == nil } catch { return false }
    }

    /// Removes stored bytes whose rows were deleted.
    func removePendingUnlinks() throws {
        let paths = try catalogue.read { try $0.pendingUnlinks(limit: 1000) }
        guard !paths.isEmpty else { return }
        for path in paths { unlinkat(layout.root.fd, path, 0) }
        try catalogue.write { try $0.removeUnlinks(paths) }
    }
}
