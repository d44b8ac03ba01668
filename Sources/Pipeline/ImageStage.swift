import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore
public import Spool
public import Logging
import SystemPackage

/// Feeds the durable queue of image jobs to the worker processes and commits each outcome: a task goes
/// `pending → processing → finished | error`, and a finished one's result is a new File under `upload/image/`.
///
/// The same two-transaction rule as downloads: the first records where the result's bytes will be linked
/// (`recordPlacement`), the bytes are renamed there, the second inserts the result File and finishes the task and its
/// job together (only while this process still holds the job). A crash between the two leaves a record to clean
/// up from, never a File without its task or a task with two results. A stage's result changes only the task's
/// status, error and result (`TaskStageUpdate`): nothing a user set.
///
/// `step` and `handBack` run on one thread (the pipeline's); the pool's threads only report, to `reports`.
public final class ImageStage: @unchecked Sendable { // `reports` is thread-safe; everything else belongs to the stepping thread.
    private let context: StageContext
    /// What the pool's threads report between two steps: jobs whose worker started, and outcomes by job id.
    private let reports: WorkerReports<(key: String, outcome: ImageWorkerPool.Outcome)>
    /// Jobs this process claimed and has not committed, by job id.
    private var held: [String: Held] = [:]
    /// When the last look for jobs claimed none (nil: it claimed some, or news came since). The next look is
    /// `idleLook` after it, at `retryDue`, or at news of committed requests, whichever comes first.
    private var idleSince: ContinuousClock.Instant?
    /// When the soonest job retried after a transient failure falls due, if any.
    private var retryDue: ContinuousClock.Instant?
    /// Time between looks for jobs while none are known.
    static let idleLook = Duration.seconds(1)
    /// Jobs whose worker started, to mark begun and their tasks `processing`.
    private var starts: [String] = []
    /// Outcomes whose result's place is not yet recorded.
    private var unrecorded: [Finished] = []
    /// Outcomes ready to commit: failures, and results whose bytes are in place.
    private var uncommitted: [Finished] = []
    /// Started at the first claimed job: an idle process starts no worker.
    private var pool: ImageWorkerPool?

    /// A claimed job and what its result needs.
    private struct Held {
        var job: Job
        var task: TaskRecord
        /// The source File's name, which names the result (empty for a task refused before it ran).
        var sourceName: String
        /// Where the worker writes the result, in `upload/.part/` (a name `removeStaleTemporaries` knows).
        var temporary: String
    }

    /// A task's end, ready to commit.
    private struct Finished {
        var held: Held
        var result: Result<StoredResult, Failure>
    }

    private struct StoredResult {
        var id: String
        var format: ImageFormat
        var width: Int, height: Int, size: Int
        /// Relative to the root.
        var path: String { RootLayout.storedFile(kind: .image, id: id, extension: format.fileExtension) }
    }

    private struct Failure: Error {
        var message: String
        /// A failure of this machine (a full disk), not of the image: tried again later.
        var transient = false
    }

    public init(_ context: StageContext) {
        self.context = context
        reports = WorkerReports(wakeup: context.wakeup)
    }

    /// Jobs this process has claimed and not yet committed.
    public var running: Int { held.count }

    private func startedPool() -> ImageWorkerPool {
        if let pool { return pool }
        let limits = context.configuration.limits
        let command = [context.configuration.imageWorkerExecutable, "image-worker", "--max-image-pixels", "\(limits.maxImagePixels)",
                       "--max-image-side", "\(limits.maxImageSide)", "--max-image-bytes", "\(limits.maxImageBytes)"]
        let pool = ImageWorkerPool(command: command, slots: context.configuration.imageWorkers, timeout: context.configuration.taskTimeout, logger: context.logger,
                                   onStart: reports.started, onComplete: { [reports] key, outcome in reports.finished((key, outcome)) })
        self.pool = pool
        return pool
    }

    /// One round: outcomes recorded, their bytes linked and committed with their tasks; started tasks marked
    /// `processing`; due jobs claimed up to two per worker (unless `claiming` is off) and handed to the pool.
    /// Nothing is dropped when a transaction fails: starts, outcomes and linked results wait in the stage for the next
    /// step, as the download stage's do. Returns seconds until a job retried after a transient failure falls due while
    /// there is room for it; nil when only a worker's news (a `.jobs` wake-up) or a new job brings more work.
    ///
    /// A stage that found no job to claim looks again only when `newRequests` says requests were committed since (an
    /// `image.job`, a `task.restart` among them, perhaps), when a retried job falls due, or after `idleLook` seconds
    /// (jobs another process handed back): a pipeline busy with downloads pays no image transaction per pass.
    @discardableResult
    public func step(claiming: Bool = true, newRequests: Bool = true) throws -> Double? {
        let news = reports.take()
        starts += news.starts.filter { held[$0] != nil }
        unrecorded += news.results.compactMap { key, outcome in held[key].map { Finished(held: $0, result: result(of: outcome)) } }
        if newRequests { idleSince = nil } // before anything can fail: the news is not lost with a failed step
        let now = ContinuousClock.now
        let looking = idleSince.map { now >= $0 + Self.idleLook } ?? true || retryDue.map { now >= $0 } ?? false
        let room = claiming && looking ? context.configuration.imageWorkers * 2 - held.count : 0
        guard room > 0 || !unrecorded.isEmpty || !uncommitted.isEmpty || !starts.isEmpty else {
            // Idle: only a retry's due time calls for a wake-up; the next look happens at whatever wakes the loop.
            return retryDue.map { max(0, ($0 - ContinuousClock.now).inSeconds) }
        }

        // 1. Where each result goes, recorded before the bytes are linked; starts marked; new jobs claimed.
        let toRecord = unrecorded, started = starts
        let (recorded, claimed, refused, nextDue) = try context.catalogue.write { tx -> ([Bool], [(held: Held, request: [UInt8])], [Finished], Timestamp?) in
            let recorded = try toRecord.map { end -> Bool in
                guard case let .success(stored) = end.result else { return true }
                return try tx.recordPlacement(job: end.held.job, owner: context.owner, path: stored.path) == .held
            }
            try tx.markBegun(jobIDs: started, owner: context.owner)
            for key in started {
                guard let task = held[key]?.task.id else { continue }
                _ = try tx.updateTask(id: task, stage: TaskStageUpdate(status: .processing), from: [.pending])
            }
            var claimed: [(held: Held, request: [UInt8])] = [], refused: [Finished] = []
            for job in room > 0 ? try tx.claimJobs(kind: .image, owner: context.owner, now: .now(), limit: room) : [] {
                guard let task = try tx.task(id: job.subject), task.status == .pending || task.status == .processing else {
                    // Its task ended another way: nothing to do (and bytes an earlier attempt placed are not a result).
                    if try tx.finishJob(id: job.id, owner: context.owner) == .held, let stale = job.placedPath { try tx.addUnlink(stale) }
                    continue
                }
                let temporary = RootLayout.taskResultTemporary(pid: getpid(), jobID: job.id)
                guard let source = try tx.file(id: task.sourceID), source.status == .ready, source.storedPath != nil else {
                    let held = Held(job: job, task: task, sourceName: "", temporary: temporary)
                    refused.append(Finished(held: held, result: .failure(Failure(message: "the source file \(task.sourceID) was deleted (or is no longer ready) before the task ran"))))
                    continue
                }
                claimed.append((Held(job: job, task: task, sourceName: source.name, temporary: temporary),
                                request(task: task, source: source, temporary: temporary)))
            }
            // A job retried after a transient failure falls due later.
            let nextDue = room > claimed.count + refused.count ? try tx.nextJobDue(kind: .image) : nil
            return (recorded, claimed, refused, nextDue)
        }
        starts.removeAll()
        unrecorded.removeAll()
        if room > 0 {
            idleSince = claimed.isEmpty && refused.isEmpty ? now : nil
            retryDue = nextDue.map { now + .milliseconds(Int64(max(0, $0.seconds - Timestamp.now().seconds) * 1000)) }
        }
        if !started.isEmpty { context.onCommit() }

        // 2. The bytes linked into place (a failure to do so is a transient failure of the task); then committed.
        for (var end, isRecorded) in zip(toRecord, recorded) {
            guard isRecorded else {
                // No longer this process's job: its bytes are not the result.
                unlinkat(context.layout.root.fd, end.held.temporary, 0)
                held[end.held.job.id] = nil
                continue
            }
            if case let .success(stored) = end.result,
               renameat(context.layout.root.fd, end.held.temporary, context.layout.root.fd, stored.path) != 0 {
                end.result = .failure(Failure(message: "the result could not be stored: \(Errno(rawValue: errno))", transient: true))
            }
            uncommitted.append(end)
        }
        for end in refused { held[end.held.job.id] = end.held }
        uncommitted += refused
        if !claimed.isEmpty {
            for work in claimed { held[work.held.job.id] = work.held }
            startedPool().submit(claimed.map { ImageWorkerPool.Work(key: $0.held.job.id, request: $0.request) })
        }
        if !uncommitted.isEmpty { try FaultPoint.imageAfterLink.reach() }

        // 3. Each outcome committed with its task.
        if !uncommitted.isEmpty {
            let ends = uncommitted
            try context.catalogue.write { tx in for end in ends { try commit(end, tx) } }
            uncommitted.removeAll()
            idleSince = nil // a transient failure put a job back in the queue, perhaps: look again
            for end in ends {
                held[end.held.job.id] = nil
                unlinkat(context.layout.root.fd, end.held.temporary, 0)
                if case let .failure(failure) = end.result {
                    context.logger.warning("image task failed", metadata: ["task": "\(end.held.task.id)", "error": "\(failure.message)"])
                }
            }
            context.onCommit()
        }
        return nextDue.map { max(0, $0.seconds - Timestamp.now().seconds) }
    }

    /// The worker's request line for `task` on its stored `source`, the result written to `temporary`.
    private func request(task: TaskRecord, source: FileRecord, temporary: String) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + task.params.count)
        json.beginObject()
        json.key("source"); json.string(context.layout.root.path + "/" + (source.storedPath ?? ""))
        json.key("mime"); json.string(source.mime ?? "")
        json.key("output"); json.string(context.layout.root.path + "/" + temporary)
        json.key("algorithm"); json.string(task.algorithm)
        json.key("params"); json.raw(task.params.isEmpty ? Array("null".utf8) : task.params)
        json.endObject()
        return json.bytes
    }

    /// A worker's outcome as the stage keeps it.
    private func result(of outcome: ImageWorkerPool.Outcome) -> Result<StoredResult, Failure> {
        switch outcome {
        case let .failed(message): return .failure(Failure(message: message))
        case let .unavailable(message): return .failure(Failure(message: "no image worker could be started: \(message)", transient: true))
        case let .answered(json):
            if case let .string(message)? = json["error"] {
                return .failure(Failure(message: message, transient: json["transient"] == .bool(true)))
            }
            guard case let .string(name)? = json["format"], let format = ImageFormat(rawValue: name),
                  case let .int(width)? = json["width"], case let .int(height)? = json["height"], case let .int(size)? = json["size"] else {
                return .failure(Failure(message: "the image worker's answer is incomplete"))
            }
            return .success(StoredResult(id: Identifier.make(), format: format, width: width, height: height, size: size))
        }
    }

    /// Records one outcome: the result File and the finished task together, or the task's error; or, for a transient
    /// failure with attempts left, the job due again. Nothing is recorded for a job another process holds now.
    private func commit(_ end: Finished, _ tx: any CatalogueWriting) throws {
        let job = end.held.job, task = end.held.task
        switch end.result {
        case let .success(stored):
            guard try tx.finishJob(id: job.id, owner: context.owner) == .held else { return }
            guard try tx.updateTask(id: task.id, stage: TaskStageUpdate(status: .finished, result: (stored.id, stored.format.fileExtension)),
                                    from: [.pending, .processing]) else {
                try tx.addUnlink(stored.path)
                return
            }
            var file = FileRecord(id: stored.id, url: nil, name: Self.resultName(source: end.held.sourceName, algorithm: task.algorithm, format: stored.format),
                                  fileExtension: stored.format.fileExtension, comment: "result of task \(task.id) (\(task.algorithm)) on file \(task.sourceID)",
                                  mime: stored.format.mime, kind: .image, size: stored.size, addedAt: .now(), status: .ready,
                                  imageSize: ImageHeader(width: stored.width, height: stored.height))
            try tx.insertFile(&file)
        case let .failure(failure):
            switch try context.recordFailure(of: job, transient: failure.transient, tx) {
            case let .retrying(attempts, _)?:
                _ = try tx.updateTask(id: task.id, stage: TaskStageUpdate(status: .pending, error: "attempt \(attempts) failed (\(failure.message)); retrying"),
                                      from: [.pending, .processing])
            case .ended?:
                _ = try tx.updateTask(id: task.id, stage: TaskStageUpdate(status: .error, error: failure.message), from: [.pending, .processing])
            case nil:
                return
            }
        }
    }

    /// `<source name without its extension>-<algorithm><ext>`.
    static func resultName(source: String, algorithm: String, format: ImageFormat) -> String {
        let ext = FileName.safeExtension(of: source)
        let stem = ext.isEmpty ? source : String(source.dropLast(ext.count))
        return FileName.sanitize("\(stem.isEmpty ? "image" : stem)-\(algorithm)\(format.fileExtension)") ?? "result\(format.fileExtension)"
    }

    /// Stops the workers and gives this process's jobs back: outcomes that arrived are committed, every other task
    /// returns to `pending` and its job to the queue. For a clean stop; a crash gets the same from recovery.
    public func handBack() {
        pool?.stop() // nothing arrives after this
        pool = nil
        do { try step(claiming: false) } catch {
            context.logger.error("could not commit finished image tasks while stopping; they run again", metadata: ["error": "\(error)"])
        }
        for work in held.values { unlinkat(context.layout.root.fd, work.temporary, 0) }
        let released = JobRelease.handBack(owner: context.owner, kind: .image, what: "image tasks", maxAttempts: context.configuration.maxAttempts,
                                           catalogue: context.catalogue, logger: context.logger)
        held.removeAll()
        if released { context.onCommit() }
    }
}
