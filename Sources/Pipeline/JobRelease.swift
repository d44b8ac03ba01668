import SluiceCore

/// Puts an owner's running jobs back in the queue and their subjects back to waiting: the one rule for a clean
/// stop, a crash and a restart.
enum JobRelease {
    /// Returns how many jobs went back.
    static func release(owner: String, in tx: any CatalogueWriting) throws -> Int {
        let jobs = try tx.releaseJobs(owner: owner)
        for job in jobs {
            switch job.kind {
            case .download: _ = try tx.setFileStatus(id: job.subject, to: .pending, from: [.downloading])
            }
        }
        return jobs.count
    }
}
