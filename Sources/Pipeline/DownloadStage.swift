import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
public import Spool
import Fetch
public import Logging

/// Feeds the durable download queue to curl and commits each outcome: `pending → downloading → ready | error`.
///
/// A File is `downloading` from the moment its transfer starts, not when its job is claimed: claimed jobs may
/// wait in the downloader for the per-host limit. Starts and results are committed together, one transaction per
/// step, so a transfer that starts and ends between two steps goes from `pending` to `ready` in one change.
public final class DownloadStage: @unchecked Sendable { // `results`, `started` and `inFlight` are guarded by `lock`; the rest is immutable.
    private let layout: RootLayout
    private let catalogue: any CatalogueStore
    private let configuration: PipelineConfiguration
    private let owner: String
    private let logger: Logger
    private let lock = NSLock()
    private var results: [DownloadResult] = []
    private var started: [String] = []
    private var inFlight: [String: Job] = [:]
    /// Started at the first claimed job: an idle process never loads libcurl (nor its TLS libraries).
    private var downloader: CurlDownloader?
    /// Posted `.jobs` when a transfer starts or ends.
    private let wakeup: Wakeup
    /// Called after each commit.
    private let onCommit: @Sendable () -> Void

    public init(layout: RootLayout, catalogue: any CatalogueStore, configuration: PipelineConfiguration, owner: String,
                logger: Logger, wakeup: Wakeup, onCommit: @escaping @Sendable () -> Void) {
        self.layout = layout
        self.catalogue = catalogue
        self.configuration = configuration
        self.owner = owner
        self.logger = logger
        self.wakeup = wakeup
        self.onCommit = onCommit
    }

    private func startedDownloader() -> CurlDownloader {
        if let downloader { return downloader }
        let downloader = CurlDownloader(configuration: configuration.fetch,
                                        onStart: { [weak self] key in self?.record { $0.started.append(key) } },
                                        onComplete: { [weak self] result in self?.record { $0.results.append(result) } })
        downloader.start()
        self.downloader = downloader
        return downloader
    }

    /// Notes a start or a result from the download thread and wakes the pipeline to commit it.
    private func record(_ change: (DownloadStage) -> Void) {
        lock.lock()
        change(self)
        lock.unlock()
        wakeup.post(.jobs)
    }

    public func stop() { downloader?.stop() }

    /// Downloads this process has claimed and not yet committed.
    public var running: Int { lock.lock(); defer { lock.unlock() }; return inFlight.count }

    /// One round, one transaction: commit finished downloads, mark started ones `downloading`, claim due jobs up to
    /// capacity. Returns seconds until the next unclaimed job is due (nil: none is waiting).
    @discardableResult
    public func step() throws -> Double? {
        lock.lock()
        let finished = results
        results.removeAll()
        let done = finished.compactMap { result in inFlight.removeValue(forKey: result.key).map { (result, $0) } }
        let starts = started.compactMap { inFlight[$0] }
        started.removeAll()
        let room = configuration.fetch.maxConcurrent * 2 - inFlight.count
        lock.unlock()

        let stored = done.map { result, job in (result, job, store(result, job)) }
        let now = Timestamp.now()
        let (claimed, changed, nextDue) = try catalogue.write { tx -> ([Job], Bool, Timestamp?) in
            for (result, job, placed) in stored { try commit(result, job, placed, tx) }
            var changed = !stored.isEmpty
            for job in starts {
                guard var file = try tx.file(id: job.subject), file.status == .pending else { continue }
                file.status = .downloading
                file.error = nil
                try tx.updateFile(file)
                changed = true
            }
            let claimed = room > 0 ? try tx.claimJobs(kind: .download, owner: owner, now: now, limit: room) : []
            return (claimed, changed, try tx.nextJobDue(kind: .download))
        }
        if changed { onCommit() }
        if !claimed.isEmpty {
            lock.lock()
            for job in claimed { inFlight[job.id] = job }
            lock.unlock()
            startedDownloader().submit(claimed.map { DownloadSpec(key: $0.id, url: $0.payload, folder: layout.partial.path) })
        }
        return nextDue.map { max(0, $0.seconds - Timestamp.now().seconds) }
    }

    /// Where a successful download's bytes were put, before the commit that records them.
    struct Placed {
        var type: SniffedType
        var path: String
    }

    /// Sniffs a finished download from its first bytes and gives it its place in `upload/<kind>/`; nil when it failed.
    private func store(_ result: DownloadResult, _ job: Job) -> Placed? {
        guard case .success = result.outcome, let file = result.file else { return nil }
        let type = ContentSniffer.sniff(file.header)
        let name = displayName(result, job)
        let ext = FileName.safeExtension(of: name).nonEmpty ?? type.fileExtension
        let path = "upload/\(type.kind.rawValue)/\(job.subject)\(ext)"
        do { try file.place(atPath: layout.root.path + "/" + path) } catch {
            logger.error("could not store a download", metadata: ["file": "\(job.subject)", "error": "\(error)"])
            return nil
        }
        return Placed(type: type, path: path)
    }

    private func displayName(_ result: DownloadResult, _ job: Job) -> String {
        result.suggestedName.flatMap { FileName.sanitize($0) } ?? DownloadName.fromURL(job.payload) ?? job.subject
    }

    private func commit(_ result: DownloadResult, _ job: Job, _ placed: Placed?, _ tx: any CatalogueWriting) throws {
        guard var file = try tx.file(id: job.subject) else {
            // Deleted while downloading: drop the bytes too.
            try tx.finishJob(id: job.id)
            if let placed { try tx.addUnlink(placed.path) }
            return
        }
        switch result.outcome {
        case let .success(size):
            if let placed {
                file.status = .ready
                file.size = Int(size)
                file.mime = placed.type.mime
                file.kind = placed.type.kind
                file.name = displayName(result, job)
                file.fileExtension = FileName.safeExtension(of: file.name).nonEmpty ?? placed.type.fileExtension
                file.downloadTime = (result.seconds * 1000).rounded() / 1000
                file.error = nil
            } else {
                file.status = .error
                file.error = "the download finished but could not be stored"
            }
            try tx.finishJob(id: job.id)
        case let .failure(message, transient, retryAfter):
            let attempts = job.attempts + 1
            if transient && attempts < configuration.maxAttempts {
                let backoff = configuration.retryBaseDelay * pow(2, Double(attempts - 1))
                let delay = min(configuration.maxRetryDelay, max(backoff, retryAfter ?? 0))
                try tx.retryJob(id: job.id, attempts: attempts, notBefore: Timestamp(seconds: Timestamp.now().seconds + delay))
                file.status = .pending
                file.error = "attempt \(attempts) of \(configuration.maxAttempts) failed (\(message)); retrying in \(Int(delay.rounded(.up))) s"
            } else {
                try tx.finishJob(id: job.id)
                file.status = .error
                file.error = attempts > 1 ? "\(message) (after \(attempts) attempts)" : message
            }
        }
        try tx.updateFile(file)
    }
}
