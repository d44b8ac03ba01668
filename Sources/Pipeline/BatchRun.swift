import Foundation
import Publish
public import SluiceCore
import Spool
public import Logging

/// `sluice run`: drain the inbox, wait for the downloads it queued (and any left by dead processes), publish, report.
public struct BatchRun {
    public struct Summary: Sendable {
        public var drops = 0
        public var rejected = 0
        public var leftBusy = 0
        public var seconds = 0.0
    }

    let layout: RootLayout
    let configuration: PipelineConfiguration
    let catalogue: any CatalogueStore
    let logger: Logger

    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger) {
        self.layout = layout
        self.configuration = configuration
        self.catalogue = catalogue
        self.logger = logger
    }

    /// Runs to completion; `progress` gets a line about once a second while downloads are under way.
    public func run(progress: (String) -> Void) throws -> Summary {
        let started = Date()
        let wakeup = Wakeup()
        let ingest = try IngestLoop(layout: layout, catalogue: catalogue, configuration: configuration, logger: logger)
        let publisher = PublisherThread(publisher: ingest.publisher, logger: logger)
        ingest.onCommit = { publisher.poke() }
        let downloads = DownloadStage(layout: layout, catalogue: catalogue, configuration: configuration,
                                      owner: ingest.work.owner, logger: logger, wakeup: wakeup) { publisher.poke() }
        publisher.start()
        defer { downloads.stop(); publisher.stop() }
        try ingest.recover()
        var busySince: Date?
        var lastProgress = Date()
        var lastRecovery = Date()
        var leftBusy = 0
        while true {
            let (_, busy) = try ingest.drainInbox()
            let nextDue = try downloads.step()
            if busy > 0 { busySince = busySince ?? Date() } else { busySince = nil }
            let waitingOnWriters = busy > 0 && Date().timeIntervalSince(busySince!) < 5
            // Jobs this process does not hold (due later, or another process's) are counted only once ours are done.
            if downloads.running == 0 && !waitingOnWriters, try catalogue.read({ try $0.unfinishedJobCount() }) == 0 {
                leftBusy = busy
                break
            }
            if Date().timeIntervalSince(lastProgress) >= 1 {
                let unfinished = try catalogue.read { try $0.unfinishedJobCount() }
                progress("\(ingest.handled) drops taken; downloads: \(downloads.running) running, \(max(0, unfinished - downloads.running)) waiting")
                lastProgress = Date()
            }
            if Date().timeIntervalSince(lastRecovery) >= 5 {
                try ingest.recover() // a watcher that died meanwhile leaves jobs to adopt
                lastRecovery = Date()
            }
            _ = wakeup.wait(timeout: min(0.5, nextDue ?? 0.5))
        }
        downloads.stop()
        publisher.stop() // its last pass publishes everything committed
        ingest.work.removeIfEmpty()
        try? catalogue.performIdleMaintenance() // leave the next run a short log
        return Summary(drops: ingest.handled, rejected: ingest.rejected, leftBusy: leftBusy,
                       seconds: Date().timeIntervalSince(started))
    }
}
