import SluiceCore
import Logging

/// Puts an owner's running jobs back in the queue and their subjects (a File downloading, a task processing) back to
/// waiting: the one rule for a clean stop, a crash and a restart.
enum JobRelease {
    /// `abandoned` when the owner died before finishing them (kill -9, a crash, a reboot): each such stop counts as one
    /// of the job's `maxAttempts`, so a download that kills its process every time ends in `error` instead of
    /// looping. A clean stop's hand-back costs no attempt. Returns how many jobs went back.
    static func release(owner: String, kind: Job.Kind? = nil, abandoned: Bool, maxAttempts: Int, in tx: any CatalogueWriting) throws -> Int {
        let jobs = try tx.releaseJobs(owner: owner, kind: kind, countingAnAttempt: abandoned)
        for job in jobs {
            switch job.kind {
            case .download:
                guard abandoned && job.attempts >= maxAttempts else {
                    _ = try tx.setFileStatus(id: job.subject, to: .pending, from: [.downloading])
                    continue
                }
                _ = try tx.finishJob(id: job.id, owner: nil)
                if let stale = job.placedPath { try tx.addUnlink(stale) }
                let error = "abandoned after \(job.attempts) attempts: the process downloading it stopped before it finished (killed, or crashed)"
                _ = try tx.updateFile(id: job.subject, stage: FileStageUpdate(status: .error, error: error))
            case .image:
                guard abandoned && job.attempts >= maxAttempts else {
                    _ = try tx.updateTask(id: job.subject, stage: TaskStageUpdate(status: .pending), from: [.processing])
                    continue
                }
                _ = try tx.finishJob(id: job.id, owner: nil)
                if let stale = job.placedPath { try tx.addUnlink(stale) }
                let error = "abandoned after \(job.attempts) attempts: the process working on it stopped before it finished (killed, or crashed)"
                _ = try tx.updateTask(id: job.subject, stage: TaskStageUpdate(status: .error, error: error), from: [.pending, .processing])
            }
        }
        return jobs.count
    }

    /// A clean stop's hand-back of `owner`'s jobs of `kind` (`what` names them in the log); true when any went back.
    /// By owner, not by what a stage remembers: whatever this process claimed goes back.
    static func handBack(owner: String, kind: Job.Kind, what: String, maxAttempts: Int, catalogue: any CatalogueStore, logger: Logger) -> Bool {
        do {
            let released = try catalogue.write { tx in try release(owner: owner, kind: kind, abandoned: false, maxAttempts: maxAttempts, in: tx) }
            if released > 0 { logger.notice("stopping: handed running \(what) back to the queue", metadata: ["jobs": "\(released)"]) }
            return released > 0
        } catch {
            logger.error("could not hand \(what) back while stopping; the next start or run takes them over", metadata: ["error": "\(error)"])
            return false
        }
    }
}
