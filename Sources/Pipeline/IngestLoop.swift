#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
public import Spool
import Publish
public import Logging

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
        executor = RequestExecutor(limits: configuration.limits)
        publisher = try OutboxPublisher(root: configuration.root, catalogue: catalogue)
        try IndexPage.install(root: configuration.root)
    }

    /// Finishes what dead processes (and an earlier failed pass of ours) left: their claims, their jobs,
    /// pending unlinks and unpublished marks.
    public func recover() throws {
        var claims = try work.ownClaims()
        for abandoned in try work.deadOwners() {
            let released = try catalogue.write { tx in
                let subjects = try tx.releaseJobs(owner: abandoned.owner)
                // Their transfers died with the process: the Files wait again.
                for id in subjects {
                    guard var file = try tx.file(id: id), file.status == .downloading else { continue }
                    file.status = .pending
                    try tx.updateFile(file)
                }
                return subjects.count
            }
            let adopted = try abandoned.adopt(into: work)
            if released > 0 || !adopted.isEmpty {
                logger.notice("recovered work of a stopped process", metadata: ["owner": "\(abandoned.owner)", "claims": "\(adopted.count)", "jobs": "\(released)"])
            }
            claims += adopted
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
        layout.rejected.removeStaleTemporaries()
        publisher.removeStaleTemporaries()
        try removePendingUnlinks()
        onCommit()
    }

    /// Takes everything in `inbox/` now; returns how many drops were handled. Busy files are left for later.
    @discardableResult
    public func drainInbox() throws -> (handled: Int, busy: Int) {
        var total = 0
        var busy = 0
        while true {
            let names = try layout.inbox.entries().map(\.name)
            if names.isEmpty { break }
            var progressed = false
            busy = 0
            var batch: [(ClaimedDrop, Drop)] = []
            batch.reserveCapacity(configuration.ingestBatch)
            for name in names {
                switch claimer.claim(name) {
                case let .claimed(claim, entry):
                    batch.append((claim, reader.read(claim, entry, receivedAt: .now())))
                    progressed = true
                case .busy: busy += 1
                case .gone: continue
                }
                if batch.count >= configuration.ingestBatch {
                    total += commitAndFinish(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { total += commitAndFinish(batch) }
            try removePendingUnlinks()
            if !progressed { break }
        }
        return (total, busy)
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
                    logger.error("could not commit a drop; it stays claimed and is retried at the next start", metadata: ["request": "\(drop.name)", "error": "\(error)"])
                    return nil
                }
            }
        }
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
    /// Across file systems, where a link cannot be made, they are copied. False when neither worked.
    private func storeUpload(_ claim: ClaimedDrop, _ drop: Drop) -> Bool {
        guard let path = drop.uploadPath else { return true }
        if linkat(work.directory.fd, claim.claimedPath, layout.root.fd, path, 0) == 0 || errno == EEXIST { return true }
        if errno == EXDEV, (try? layout.root.copy(from: work.directory, claim.claimedPath, to: path, tempTag: "\(getpid())-copy")) != nil {
            return true
        }
        logger.error("could not store an upload; it stays claimed and is retried at the next start",
                     metadata: ["upload": "\(drop.name)", "to": "\(path)", "error": "\(String(cString: strerror(errno)))"])
        return false
    }

    /// Moves a committed drop's file to its destination (idempotent: a missing file is already there).
    /// An upload's bytes are linked into place before the commit (`linked`), so only the claim is removed;
    /// when recovering another process's commit, the link is made first.
    func finish(_ claim: ClaimedDrop, _ record: RequestRecord, linked: Bool = false) {
        if record.destination.hasPrefix("upload/") {
            if linked || linkat(work.directory.fd, claim.claimedPath, layout.root.fd, record.destination, 0) == 0 || errno == EEXIST {
                unlinkat(work.directory.fd, claim.claimedPath, 0)
            }
            if claim.claimedPath.contains("/") { unlinkat(work.directory.fd, claim.requestID + ".d", AT_REMOVEDIR) }
            return
        }
        if record.isRejected {
            let note = String(record.destination.dropFirst(Drop.rejectedFolder.count + 1)) + ".error"
            try? layout.rejected.writeAtomically(note, record.receipt + [0x0A], tempTag: "\(getpid())-note")
        }
        if renameat(work.directory.fd, claim.claimedPath, layout.root.fd, record.destination) != 0 && errno != ENOENT {
            logger.error("could not move a finished drop", metadata: ["from": "\(claim.claimedPath)", "to": "\(record.destination)", "error": "\(String(cString: strerror(errno)))"])
        }
        if claim.claimedPath.contains("/") { unlinkat(work.directory.fd, claim.requestID + ".d", AT_REMOVEDIR) }
    }

    /// Removes stored bytes whose rows were deleted.
    func removePendingUnlinks() throws {
        let paths = try catalogue.read { try $0.pendingUnlinks(limit: 1000) }
        guard !paths.isEmpty else { return }
        for path in paths { unlinkat(layout.root.fd, path, 0) }
        try catalogue.write { try $0.removeUnlinks(paths) }
    }
}
