import Foundation
public import Publish
public import SluiceCore
public import Spool
public import Logging
public import ServiceLifecycle

/// `sluice run` as a lifecycle service: drain the inbox, wait for the downloads it queued (and any left by stopped
/// processes), then end, which shuts its group down (its `publisher` publishes what is left).
///
/// It sleeps until a transfer, a retry's due time or the once-a-second progress line needs it, and ends in bounded
/// time: jobs of a process that stops beside it are taken over within `recoveryInterval`, every job has a bounded
/// number of bounded attempts, and files still being written are left for the next run after 5 s. On graceful
/// shutdown (SIGTERM, SIGINT) it hands its jobs back and ends early, `summary.interrupted` set.
public final class BatchRun: Service, @unchecked Sendable { // the loop's state is touched only on its thread; `summary` is read after `run()` returns.
    public struct Summary: Sendable {
        public var drops = 0
        public var rejected = 0
        public var leftBusy = 0
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
        defer {
            stages.stop()
            summary.drops = stages.ingest.handled
            summary.rejected = stages.ingest.rejected
            summary.seconds = Date().timeIntervalSince(started)
            try? catalogue.performIdleMaintenance() // leave the next run a short log
        }
        var recovered = false
        var busySince: Date?
        var busy = 0
        var lastDrain = Date.distantPast
        var lastProgress = Date()
        var lastRecovery = Date()
        var nextStep: Double? = 0
        var backoff = RetryBackoff()
        while true {
            let reasons = stages.wakeup.wait(timeout: backoff.delay ?? min(1, nextStep ?? 1))
            if reasons.contains(.stop) {
                summary.interrupted = true
                return
            }
            do {
                if !recovered {
                    try stages.ingest.recover()
                    recovered = true
                }
                // After the first drain, the inbox is looked at once a second (drops may arrive during a run).
                if Date().timeIntervalSince(lastDrain) >= 1 {
                    busy = try stages.ingest.drainInbox().busy
                    lastDrain = Date()
                }
                nextStep = try stages.downloads.step()
                if busy > 0 { busySince = busySince ?? Date() } else { busySince = nil }
                let waitingOnWriters = busySince.map { Date().timeIntervalSince($0) < 5 } ?? false
                // Jobs this process does not hold (due later, or another process's) are counted only once ours are done.
                if stages.downloads.running == 0 && !waitingOnWriters, try catalogue.read({ try $0.unfinishedJobCount() }) == 0 {
                    summary.leftBusy = busy
                    return
                }
                if Date().timeIntervalSince(lastProgress) >= 1 {
                    let unfinished = try catalogue.read { try $0.unfinishedJobCount() }
                    progress("\(stages.ingest.handled) drops taken; downloads: \(stages.downloads.running) running, \(max(0, unfinished - stages.downloads.running)) waiting")
                    lastProgress = Date()
                }
                if Date().timeIntervalSince(lastRecovery) >= configuration.recoveryInterval {
                    try stages.ingest.takeOverStoppedWork() // a process that stopped meanwhile leaves jobs to take over
                    lastRecovery = Date()
                }
                backoff.succeeded()
            } catch where PassFailure.isRetryable(error) {
                backoff.failed()
                logger.error("run pass failed; trying again", metadata: ["error": "\(error)", "in": "\(backoff.delay ?? 0) s"])
            }
        }
    }
}
