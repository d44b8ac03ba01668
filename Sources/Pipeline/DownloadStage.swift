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
/// A File is `downloading` once its transfer has run `shownAfter` (0.1 s), not when its job is claimed (claimed jobs
/// may wait in the downloader for the per-host limit): a quick download goes from `pending` to `ready` in two
/// publications, not three (a third of a burst of small downloads' outbox writes). A finished download goes through two transactions, each shared
/// by every job ready for it: the first records where its bytes will be linked (`recordPlacement`), the link is
/// made, the second commits the result; a crash between the link and the commit thus leaves a record to clean up
/// from. Nothing is dropped when a transaction fails: results, placements and starts wait for the next step.
/// A result changes only what the stage owns (`FileStageUpdate`), never a name or comment a user set meanwhile.
///
/// `step` and `handBack` run on one thread (the pipeline's); curl's thread only reports, to `reports`.
public final class DownloadStage: @unchecked Sendable { // `reports` is thread-safe; everything else belongs to the stepping thread.
    private let context: StageContext
    /// What curl's thread reports between two steps.
    private let reports: WorkerReports<DownloadResult>
    /// Jobs this process claimed and has not committed, by job id.
    private var held: [String: Job] = [:]
    /// Jobs whose transfer started, to mark begun in the next transaction (a death after counts an attempt).
    private var begun: [String] = []
    /// Files whose transfer started, and when: marked `downloading` once it has run `shownAfter`.
    private var starts: [(subject: String, at: ContinuousClock.Instant)] = []
    /// How long a transfer runs before its File shows `downloading`.
    static let shownAfter = Duration.milliseconds(100)
    /// Successful downloads whose place is not yet recorded.
    private var unrecorded: [Finished] = []
    /// Outcomes ready to commit: failures, and successes whose bytes are in place.
    private var uncommitted: [Finished] = []
    /// Started at the first claimed job: an idle process never loads libcurl (nor its TLS libraries).
    private var downloader: CurlDownloader?

    /// A finished download and, for a success, where its bytes go.
    struct Finished {
        var result: DownloadResult
        var job: Job
        var placement: Placement?
    }

    /// Where a successful download's bytes go and what they are.
    struct Placement {
        var type: SniffedType
        /// For an image: its width and height, and whether its bytes run to its end.
        var image: ImageInspection?
        /// The name the source gave (Content-Disposition, the URL's path, else the id).
        var sourceName: String
        var fileExtension: String
        /// Relative to the root: `RootLayout.storedFile`.
        var path: String
    }

    public init(_ context: StageContext) {
        self.context = context
        reports = WorkerReports(wakeup: context.wakeup)
    }

    /// Loads the download library meanwhile (for a batch run, which will most likely need it at once).
    public func loadDownloaderInBackground() { CurlDownloader.loadInBackground() }

    /// Waits for that load to end, if it began: before the process exits.
    public func finishLoadingDownloader() { CurlDownloader.finishLoadingInBackground() }

    private func startedDownloader() -> CurlDownloader {
        if let downloader { return downloader }
        let reports = self.reports
        let downloader = CurlDownloader(configuration: context.configuration.fetch, onStart: reports.started, onComplete: reports.finished)
        downloader.start()
        self.downloader = downloader
        return downloader
    }

    /// Jobs this process has claimed and not yet committed (read on the stepping thread).
    public var running: Int { held.count }

    /// One round, one transaction: commit outcomes, record where new results go, mark started transfers
    /// `downloading`, claim due jobs up to capacity (unless `claiming` is off); then link the recorded results.
    /// Returns seconds until the stage wants its next step (an unclaimed job falls due while there is room for it,
    /// or linked bytes wait for their commit); nil when only a transfer's start or end (a `.jobs` wake-up) can bring more work.
    @discardableResult
    public func step(claiming: Bool = true) throws -> Double? {
        collectArrivals()
        let room = claiming ? context.configuration.fetch.maxConcurrent * 2 - held.count : 0
        let toRecord = unrecorded
        // A transfer that already ended is not marked downloading: it goes from pending to its outcome at once.
        let ended = Set(toRecord.map(\.job.subject) + uncommitted.map(\.job.subject))
        let clock = ContinuousClock.now
        let started = starts.filter { !ended.contains($0.subject) && clock - $0.at >= Self.shownAfter }.map(\.subject)
        let now = Timestamp.now()
        let (claimed, nextDue, recorded) = try context.catalogue.write { tx -> ([Job], Timestamp?, [Bool]) in
            for finished in uncommitted { try commit(finished, tx) }
            let recorded = try toRecord.map { finished in
                // A pet's photo whose bytes are no photo is not stored: it ends here, with the reason.
                let placement = finished.placement!
                let bytes: Int
                if case let .success(size) = finished.result.outcome { bytes = Int(size) } else { bytes = 0 }
                if try tx.photoOwner(fileID: finished.job.subject) != nil, let problem = PhotoRule.problem(
                    mime: placement.type.mime, bytes: bytes, size: placement.image?.size, complete: placement.image?.truncated != true,
                    limits: context.configuration.limits) {
                    var refused = finished
                    refused.result.outcome = .failure(message: problem, transient: false, retryAfter: nil)
                    refused.placement = nil
                    try commit(refused, tx)
                    return false
                }
                return try tx.recordPlacement(job: finished.job, owner: context.owner, path: finished.placement!.path) == .held
            }
            try tx.markBegun(jobIDs: begun, owner: context.owner)
            for subject in started { _ = try tx.setFileStatus(id: subject, to: .downloading, from: [.pending]) }
            let claimed = room > 0 ? try tx.claimJobs(kind: .download, owner: context.owner, now: now, limit: room) : []
            let nextDue = room > claimed.count ? try tx.nextJobDue(kind: .download) : nil
            if !uncommitted.isEmpty || !toRecord.isEmpty { try FaultPoint.downloadCommit.reach() }
            return (claimed, nextDue, recorded)
        }
        // A refused photo's failure is committed in the recording step: a change to publish like any other.
        let changed = !uncommitted.isEmpty || !started.isEmpty || recorded.contains(false)
        for finished in uncommitted { held[finished.job.id] = nil }
        uncommitted.removeAll()
        begun.removeAll()
        let marked = Set(started)
        starts.removeAll { ended.contains($0.subject) || marked.contains($0.subject) }
        unrecorded.removeAll()
        if !claimed.isEmpty {
            for job in claimed { held[job.id] = job }
            startedDownloader().submit(claimed.map { DownloadSpec(key: $0.id, url: $0.payload, folder: context.layout.partial.path) })
        }
        if changed { context.onCommit() }
        for (finished, isHeld) in zip(toRecord, recorded) {
            // Deleted, no longer ours, or no photo after all: its bytes are dropped.
            guard isHeld else { held[finished.job.id] = nil; continue }
            uncommitted.append(link(finished))
        }
        if !uncommitted.isEmpty { try FaultPoint.downloadAfterLink.reach() }
        var due = nextDue.map { max(0, $0.seconds - Timestamp.now().seconds) }
        // A running transfer's File is marked `downloading` by a step at its `shownAfter`.
        if let first = starts.map(\.at).min() {
            let left = Self.shownAfter - (ContinuousClock.now - first)
            let seconds = max(0, left.inSeconds)
            due = min(due ?? seconds, seconds)
        }
        guard !uncommitted.isEmpty else { return due }
        // Linked bytes are committed by the next step: the one the next transfer's news brings, or in `commitDelay`;
        // at once when no transfer is left to bring any.
        return held.count == uncommitted.count ? 0 : min(due ?? Self.commitDelay, Self.commitDelay)
    }

    /// Longest a result waits, linked, for its commit while other transfers run: long enough that under load the
    /// commit shares the next step's transaction, short enough that nobody waits for it.
    static let commitDelay = 0.005

    /// Stops the transfers and gives this process's jobs back: outcomes that arrived are committed, every other
    /// job returns to the queue and its File to `pending`. For a clean stop; a crash gets the same from recovery.
    public func handBack() {
        downloader?.stop() // no result arrives after this
        downloader = nil
        for _ in 0..<3 {
            if reports.isEmpty && unrecorded.isEmpty && uncommitted.isEmpty { break }
            do { try step(claiming: false) } catch {
                context.logger.error("could not commit finished downloads while stopping; they are downloaded again", metadata: ["error": "\(error)"])
                break
            }
        }
        let released = JobRelease.handBack(owner: context.owner, kind: .download, what: "downloads", maxAttempts: context.configuration.maxAttempts,
                                           catalogue: context.catalogue, logger: context.logger)
        held.removeAll()
        if released { context.onCommit() }
    }

    /// Moves what curl reported into the stage: results paired with their jobs by key, successes given their place.
    private func collectArrivals() {
        let news = reports.take()
        for key in news.starts {
            guard let job = held[key] else { continue }
            begun.append(key)
            starts.append((job.subject, ContinuousClock.now))
        }
        for result in news.results {
            guard let job = held[result.key] else { continue }
            if case .success = result.outcome, let file = result.file {
                unrecorded.append(Finished(result: result, job: job, placement: placement(result, job, file)))
            } else {
                uncommitted.append(Finished(result: result, job: job, placement: nil))
            }
        }
    }

    /// Sniffs a finished download from its first bytes and names its place in `upload/<kind>/`.
    private func placement(_ result: DownloadResult, _ job: Job, _ file: DownloadedFile) -> Placement {
        let type = ContentSniffer.sniff(file.header)
        let name = result.suggestedName.flatMap { FileName.sanitize($0) } ?? DownloadName.fromURL(job.payload) ?? job.subject
        let ext = FileName.safeExtension(of: name).nonEmpty ?? type.fileExtension
        let image = type.kind == .image ? file.inspectImage(mime: type.mime) : nil
        return Placement(type: type, image: image, sourceName: name, fileExtension: ext,
                         path: RootLayout.storedFile(kind: type.kind, id: job.subject, extension: ext))
    }

    /// Links a recorded result's bytes into place; a failure to do so becomes the download's outcome.
    private func link(_ finished: Finished) -> Finished {
        guard let file = finished.result.file, let placement = finished.placement else { return finished }
        do {
            try file.place(atPath: context.layout.root.path + "/" + placement.path)
            return finished
        } catch {
            context.logger.error("could not store a download", metadata: ["file": "\(finished.job.subject)", "error": "\(error)"])
            var failed = finished
            failed.result.outcome = .failure(message: "the download finished but could not be stored: \(error)", transient: true, retryAfter: nil)
            failed.placement = nil
            return failed
        }
    }

    /// Records one outcome: the job finished or due again, and the File's stage-owned fields. Nothing is recorded for
    /// a job another process holds now (this one was taken for dead).
    private func commit(_ finished: Finished, _ tx: any CatalogueWriting) throws {
        let job = finished.job
        switch finished.result.outcome {
        case let .success(size):
            let placement = finished.placement!
            guard try tx.finishJob(id: job.id, owner: context.owner) != .notHeld else { return }
            let stored = StoredBytes(kind: placement.type.kind, mime: placement.type.mime, fileExtension: placement.fileExtension,
                                     size: Int(size), downloadTime: (finished.result.seconds * 1000).rounded() / 1000,
                                     imageSize: placement.image?.size, imageTruncated: placement.image?.truncated ?? false)
            let update = FileStageUpdate(status: .ready, stored: stored, sourceName: placement.sourceName)
            // Deleted while downloading: its bytes go too.
            if try !tx.updateFile(id: job.subject, stage: update) { try tx.addUnlink(placement.path) }
            _ = try tx.markPhotoReady(fileID: job.subject) // a pet's photo is listed once stored
        case let .failure(message, transient, retryAfter):
            switch try context.recordFailure(of: job, transient: transient, retryAfter: retryAfter ?? 0, tx) {
            case let .retrying(attempts, delay)?:
                let error = "attempt \(attempts) of \(context.configuration.maxAttempts) failed (\(message)); retrying in \(Int(delay.rounded(.up))) s"
                _ = try tx.updateFile(id: job.subject, stage: FileStageUpdate(status: .pending, error: error))
            case let .ended(attempts)?:
                let error = attempts > 1 ? "\(message) (after \(attempts) attempts)" : message
                _ = try tx.updateFile(id: job.subject, stage: FileStageUpdate(status: .error, error: error))
                // A photo that never came stays its pet's, unlisted (its File says why), and goes when the pet does.
            case nil:
                return
            }
        }
    }
}
