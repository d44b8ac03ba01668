import Foundation
public import Publish
public import SluiceCore
public import Spool
public import Logging
public import ServiceLifecycle

/// The daemon's pipeline as a lifecycle service: inbox hints → drain the inbox; transfers → commit; every few
/// seconds, take over the work of processes that stopped.
///
/// The loop runs on a thread of its own (blocking system calls, SQLite). It sleeps until a hint, a transfer's start
/// or end, a retry's due time or the rescan timer needs it. A failed pass is tried again after a back-off (a full
/// disk mends); one that cannot succeed ends `run()` with the error, which stops the service group. On graceful
/// shutdown it hands its jobs back before it returns. Its `publisher` goes before it in the group, so the outbox
/// shows the hand-back.
public final class PipelineService: Service, @unchecked Sendable { // the loop's state is touched only on its thread; `wakeup` is thread-safe.
    public let stages: PipelineStages
    /// Goes before this service in its group.
    public var publisher: PublisherService { stages.publisher }
    private let watcher: InboxWatcher
    private let configuration: PipelineConfiguration
    private let catalogue: any CatalogueStore
    private let logger: Logger

    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger) throws {
        self.configuration = configuration
        self.catalogue = catalogue
        self.logger = logger
        let stages = try PipelineStages(layout: layout, configuration: configuration, catalogue: catalogue, logger: logger)
        self.stages = stages
        watcher = InboxWatcher(inbox: layout.inbox.path, wakeup: stages.wakeup)
    }

    public func run() async throws {
        do { try watcher.start() } catch {
            logger.warning("inotify unavailable; scanning every \(configuration.rescanInterval) s instead", metadata: ["error": "\(error)"])
        }
        defer { watcher.stop() }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await ServiceThread.run(name: "sluice-pipeline") { try self.loop() }
        } onCancelOrGracefulShutdown: {
            self.stages.wakeup.post(.stop)
        }
    }

    private func loop() throws {
        var nextStep: Double? = 0
        var drainDue = true
        var lastDrain = Date.distantPast
        var maintained = true
        var backoff = RetryBackoff()
        defer { stages.stop() }
        while true {
            let timeout = backoff.delay ?? min(configuration.rescanInterval, nextStep ?? configuration.rescanInterval)
            let reasons = stages.wakeup.wait(timeout: timeout)
            if reasons.contains(.stop) { return }
            // The directory is the truth: a hint, or the rescan interval passing, leads to a scan; a transfer's news does not.
            if !reasons.isDisjoint(with: [.inbox, .overflow]) || Date().timeIntervalSince(lastDrain) >= configuration.rescanInterval {
                drainDue = true
            }
            if reasons.contains(.overflow) { logger.notice("inotify queue overflowed; rescanning inbox/") }
            do {
                let pass = try stages.pass(drain: drainDue)
                if pass.drain != nil {
                    drainDue = false
                    lastDrain = Date()
                }
                nextStep = pass.nextStep
                if (pass.drain?.handled ?? 0) > 0 || stages.running > 0 || !reasons.isEmpty {
                    maintained = false
                } else if !maintained {
                    // A full interval with nothing to do: fold the catalogue's log in now, not during a burst.
                    try catalogue.performIdleMaintenance()
                    maintained = true
                }
                backoff.succeeded()
            } catch where RetryPolicy.isRetryable(error) {
                backoff.failed()
                drainDue = true
                logger.error("pipeline pass failed; trying again", metadata: ["error": "\(error)", "in": "\(backoff.delay ?? 0) s"])
            } catch {
                logger.critical("the pipeline cannot go on", metadata: ["error": "\(error)"])
                throw error
            }
        }
    }
}
