import Foundation
import Publish
public import SluiceCore
public import Spool
public import Logging

/// The daemon's work, on one thread: watch hints → drain the inbox; results → commit; publish.
public final class PipelineThread: @unchecked Sendable { // state is touched only on `thread`; `wakeup` is thread-safe.
    public let ingest: IngestLoop
    public let downloads: DownloadStage
    public let wakeup = Wakeup()
    private let publisher: PublisherThread
    private let watcher: InboxWatcher
    private let configuration: PipelineConfiguration
    private let catalogue: any CatalogueStore
    private let logger: Logger
    private let done = NSCondition()
    private var finished = false

    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger) throws {
        self.configuration = configuration
        self.catalogue = catalogue
        self.logger = logger
        ingest = try IngestLoop(layout: layout, catalogue: catalogue, configuration: configuration, logger: logger)
        publisher = PublisherThread(publisher: ingest.publisher, logger: logger)
        ingest.onCommit = { [publisher] in publisher.poke() }
        downloads = DownloadStage(layout: layout, catalogue: catalogue, configuration: configuration,
                                  owner: ingest.work.owner, logger: logger, wakeup: wakeup) { [publisher] in publisher.poke() }
        watcher = InboxWatcher(inbox: layout.inbox.path, wakeup: wakeup)
    }

    /// Starts watching and working; returns at once.
    public func start() throws {
        do { try watcher.start() } catch {
            logger.warning("inotify unavailable; scanning every \(configuration.rescanInterval) s instead", metadata: ["error": "\(error)"])
        }
        let thread = Thread { [self] in run() }
        thread.name = "sluice-pipeline"
        thread.start()
    }

    private func run() {
        publisher.start()
        do { try ingest.recover() } catch { logger.error("recovery failed", metadata: ["error": "\(error)"]) }
        var nextDue: Double? = 0
        var maintained = true
        while true {
            let reasons = wakeup.wait(timeout: min(configuration.rescanInterval, nextDue ?? configuration.rescanInterval))
            if reasons.contains(.stop) { break }
            do {
                if reasons.contains(.overflow) { logger.notice("inotify queue overflowed; rescanning inbox/") }
                let (handled, _) = try ingest.drainInbox()
                nextDue = try downloads.step()
                if handled > 0 || downloads.running > 0 || !reasons.isEmpty {
                    maintained = false
                } else if !maintained {
                    // A full interval with nothing to do: fold the catalogue's log in now, not during a burst.
                    try catalogue.performIdleMaintenance()
                    maintained = true
                }
            } catch {
                logger.error("pipeline pass failed; retrying", metadata: ["error": "\(error)"])
            }
        }
        watcher.stop()
        downloads.stop()
        publisher.stop()
        ingest.work.removeIfEmpty()
        done.lock(); finished = true; done.broadcast(); done.unlock()
    }

    /// Asks the thread to stop after its current pass and waits for it.
    public func stop() {
        wakeup.post(.stop)
        done.lock()
        while !finished { done.wait() }
        done.unlock()
    }
}
