public import SluiceCore
public import Spool
public import Logging

/// What the stages of one pipeline share: the root they work in, the catalogue, the policy, the owner their jobs are
/// held by, the log, the wake-up their worker threads post to, and what to call after a commit that changed what the
/// outbox shows.
public struct StageContext: Sendable {
    public let layout: RootLayout
    public let catalogue: any CatalogueStore
    public let configuration: PipelineConfiguration
    public let owner: String
    public let logger: Logger
    public let wakeup: Wakeup
    public let onCommit: @Sendable () -> Void

    public init(layout: RootLayout, catalogue: any CatalogueStore, configuration: PipelineConfiguration, owner: String,
                logger: Logger, wakeup: Wakeup, onCommit: @escaping @Sendable () -> Void) {
        self.layout = layout; self.catalogue = catalogue; self.configuration = configuration; self.owner = owner
        self.logger = logger; self.wakeup = wakeup; self.onCommit = onCommit
    }
}

/// What a failed attempt of a job came to (`StageContext.recordFailure`).
enum FailedAttempt {
    /// The job is due again after `delay` seconds; `attempts` spent so far.
    case retrying(attempts: Int, delay: Double)
    /// The job is finished for good after `attempts`; bytes an interrupted attempt had placed are queued for removal.
    case ended(attempts: Int)
}

extension StageContext {
    /// Records a failed attempt of `job` held by this pipeline: due again with back-off (at least `retryAfter`) when
    /// the failure is `transient` and attempts are left, else finished. Nil, with nothing recorded, when the job is no
    /// longer this pipeline's (taken for dead, or its subject deleted). The caller records what its subject shows.
    func recordFailure(of job: Job, transient: Bool, retryAfter: Double = 0, _ tx: any CatalogueWriting) throws -> FailedAttempt? {
        let attempts = job.attempts + 1
        if transient && attempts < configuration.maxAttempts {
            let delay = configuration.retryDelay(after: attempts, atLeast: retryAfter)
            let due = Timestamp(seconds: Timestamp.now().seconds + delay)
            guard try tx.retryJob(id: job.id, owner: owner, attempts: attempts, notBefore: due) == .held else { return nil }
            return .retrying(attempts: attempts, delay: delay)
        }
        guard try tx.finishJob(id: job.id, owner: owner) == .held else { return nil }
        // Bytes an earlier, interrupted attempt linked are not the subject's.
        if let stale = job.placedPath { try tx.addUnlink(stale) }
        return .ended(attempts: attempts)
    }
}
