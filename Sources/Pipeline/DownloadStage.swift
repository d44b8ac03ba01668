import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
public import Spool
public import Fetch
public import Logging

/// Feeds the durable download queue to curl and commits each outcome: `pending → downloading → ready | error`.
public final class DownloadStage: @unchecked Sendable { // `results` and `inFlight` are guarded by `lock`; the rest is immutable.
    private let layout: RootLayout
    private let catalogue: any CatalogueStore
    private let configuration: PipelineConfiguration
    private let owner: String
    private let logger: Logger
    private let lock = NSLock()
    private var results: [DownloadResult] = []
    private var inFlight: [String: Job] = [:]
    /// Started at the first claimed job: an idle process never initialises curl (nor its TLS libraries).
    private var downloader: CurlDownloader?
    /// Posted `.jobs` when results arrive.
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
        let wakeup = self.wakeup
        let started = CurlDownloader(configuration: configuration.fetch) { [weak self] result in
            guard let self else { return }
            self.lock.lock()
            self.results.append(result)
            self.lock.unlock()
            wakeup.post(.jobs)
        }
        started.start()
        downloader = started
        return started
    }

    public func stop() { downloader?.stop() }

    /// Downloads this process is running.
    public var running: Int { lock.lock(); defer { lock.unlock() }; return inFlight.count }

    /// One round: commit finished downloads, claim due jobs up to capacity. Returns seconds until the next job is due.
    @discardableResult
    public func step() throws -> Double? {
        lock.lock()
        let finished = results
        results.removeAll()
        let jobs = finished.compactMap { inFlight.removeValue(forKey: $0.key) }
        let room = configuration.fetch.maxConcurrent * 2 - inFlight.count
        lock.unlock()

        if !finished.isEmpty {
            let stored = zip(finished, jobs).map { result, job in (result, job, store(result, job)) }
            try catalogue.write { tx in
                for (result, job, placed) in stored { try commit(result, job, placed, tx) }
            }
            onCommit()
        }

        guard room > 0 else { return nil }
        let now = Timestamp.now()
        let claimed: [Job] = try catalogue.write { tx in
            let jobs = try tx.claimJobs(kind: .download, owner: owner, now: now, limit: room)
            for job in jobs {
                guard var file = try tx.file(id: job.subject) else { continue }
                file.status = .downloading
                try tx.updateFile(file)
            }
            return jobs
        }
        if !claimed.isEmpty {
            lock.lock()
            for job in claimed { inFlight[job.id] = job }
            lock.unlock()
            startedDownloader().submit(claimed.map { DownloadSpec(key: $0.id, url: $0.payload, folder: layout.partial.path) })
            onCommit()
        }
        let next = try catalogue.read { try $0.nextJobDue(kind: .download) }
        return next.map { max(0, $0.seconds - Timestamp.now().seconds) }
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
