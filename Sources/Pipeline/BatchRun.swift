import Foundation
public import Publish
public import SluiceCore
public import Spool
public import Logging
public import ServiceLifecycle

/// `sluice run` as a lifecycle service: drain the inbox, wait for the downloads and image tasks it queued (and any
/// left by stopped processes), then end, which shuts its group down (its `publisher` publishes what is left).
///
/// It sleeps until a transfer, a retry's due time or the once-a-second progress line needs it, and ends in bounded
/// time: it takes only the drops that were in `inbox/` when it began, waits only for jobs no live process holds
/// (each with a bounded number of bounded attempts), and leaves files still being written for the next run after
/// 5 s. On graceful shutdown (SIGTERM, SIGINT) it hands its jobs back and ends early, `summary.interrupted` set.
public final class BatchRun: Service, @unchecked Sendable { // the loop's state is touched only on its thread; `summary` is read after `run()` returns.
    public struct Summary: Sendable {
        public var drops = 0
        public var rejected = 0
        /// Still being written when last looked at: left for the next run.
        public var leftBusy = 0
        /// Arrived after the run began: left for the next run (or a watch).
        public var leftForLater = 0
        /// Claimed but not committed (the catalogue kept failing): taken over by the next run or watch.
        public var leftClaimed = 0
        public var seconds = 0.0
        /// Stopped by a signal before the work was done: what was left went back to the queue.
        public var interrupted = false
    }

    public private(set) var summary = Summary()
    private let stages: PipelineStages
    /// Goes before this service in its group.
    public var publisher: PublisherService { stages.publisher }
    private let configuration: PipelineConfiguration
    private let catalogue: any CatalogueStore
    private let logger: Logger
    private let progress: @Sendable (String) -> Void

    /// `progress` gets a line about once a second while downloads are under way.
    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger,
                progress: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        self.catalogue = catalogue
        self.logger = logger
        self.progress = progress
        stages = try PipelineStages(layout: layout, configuration: configuration, catalogue: catalogue, logger: logger)
    }

    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await ServiceThread.run(name: "sluice-run") { try self.loop() }
        } onCancelOrGracefulShutdown: {
            self.stages.wakeup.post(.stop)
        }
    }

    private func loop() throws {
        let started = Date()
        stages.downloads.loadDownloaderInBackground()
        defer {
            stages.stop()
            stages.downloads.finishLoadingDownloader()
            summary.drops = stages.ingest.handled
            summary.rejected = stages.ingest.rejected
            summary.seconds = Date().timeIntervalSince(started)
            try? catalogue.performIdleMaintenance() // leave the next run a short log
        }
        var busySince: Date?
        var lastDrain = Date.distantPast
        var lastProgress = Date()
        var nextStep: Double? = 0
        var backoff = RetryBackoff()
        let begun = Timestamp.now()
        while true {
            let reasons = stages.wakeup.wait(timeout: backoff.delay ?? min(1, nextStep ?? 1))
            if reasons.contains(.stop) {
                summary.interrupted = true
                return
            }
            do {
                // Drops that were in inbox/ when the run began; after the first drain, it is looked at once a second.
                let pass = try stages.pass(drain: Date().timeIntervalSince(lastDrain) >= 1, arrivedBy: begun)
                if let drain = pass.drain {
                    lastDrain = Date()
                    summary.leftBusy = drain.busy
                    summary.leftForLater = drain.later
                    if drain.busy > 0 { busySince = busySince ?? Date() } else { busySince = nil }
                }
                nextStep = pass.nextStep
                let waitingOnWriters = busySince.map { Date().timeIntervalSince($0) < 5 } ?? false
                // Done when this run holds no job and none waits for an owner. Jobs a live process holds are its own
                // to finish (a process that stops hands them back, or is taken over, within `recoveryInterval`).
                if stages.running == 0 && !waitingOnWriters, try catalogue.read({ try $0.queuedJobCount() }) == 0 {
                    summary.leftClaimed = try stages.ingest.claimsLeft()
                    return
                }
                if Date().timeIntervalSince(lastProgress) >= 1 {
                    let queued = try catalogue.read { try $0.queuedJobCount() }
                    progress("\(stages.ingest.handled) drops taken; downloads: \(stages.downloads.running) running; image tasks: \(stages.images.running) running; \(queued) jobs waiting")
                    lastProgress = Date()
                }
                backoff.succeeded()
            } catch where RetryPolicy.isRetryable(error) {
                backoff.failed()
                logger.error("run pass failed; trying again", metadata: ["error": "\(error)", "in": "\(backoff.delay ?? 0) s"])
            }
        }
    }
}
