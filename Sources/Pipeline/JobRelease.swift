import SluiceCore

/// Puts an owner's running jobs back in the queue and their subjects back to waiting: the one rule for a clean
/// stop, a crash and a restart.
enum JobRelease {
    /// `abandoned` when the owner died before finishing them (kill -9, a crash, a reboot): each such stop counts as one
    /// of the job's `maxAttempts`, so a download that kills its process every time ends in `error` instead of
    /// looping. A clean stop's hand-back costs no attempt. Returns how many jobs went back.
    static func release(owner: String, abandoned: Bool, maxAttempts: Int, in tx: any CatalogueWriting) throws -> Int {
        let jobs = try tx.releaseJobs(owner: owner, countingAnAttempt: abandoned)
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
            }
        }
        return jobs.count
    }
}
