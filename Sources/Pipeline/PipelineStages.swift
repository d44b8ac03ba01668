import Foundation
public import Publish
public import SluiceCore
public import Spool
public import Logging

/// The pipeline's working parts, wired together, and the pass that drives them: the ingest loop, the download
/// stage and the image stage, the publisher that shows what they commit, and the wake-up they share. `PipelineService` (`up`, `watch`)
/// and `BatchRun` (`run`) run the same pass, each in its own loop.
public final class PipelineStages: @unchecked Sendable { // the pass's state is touched only on the driving loop's thread.
    public let ingest: IngestLoop
    public let downloads: DownloadStage
    public let images: ImageStage
    public let publisher: PublisherService
    /// Posted by inbox hints, transfers and stop requests; the driving loop waits on it.
    public let wakeup = Wakeup()
    private let configuration: PipelineConfiguration
    private var recovered = false
    /// `ingest.handled` when the image stage was last told of new requests.
    private var handledAtImageLook = -1
    private var lastTakeOver = Date()

    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger) throws {
        self.configuration = configuration
        ingest = try IngestLoop(layout: layout, catalogue: catalogue, configuration: configuration, logger: logger)
        let publisher = PublisherService(publisher: ingest.publisher, logger: logger)
        self.publisher = publisher
        ingest.onCommit = { publisher.poke() }
        let context = StageContext(layout: layout, catalogue: catalogue, configuration: configuration, owner: ingest.work.owner,
                                   logger: logger, wakeup: wakeup) { publisher.poke() }
        downloads = DownloadStage(context)
        images = ImageStage(context)
    }

    /// Jobs this process holds (downloads and image tasks).
    public var running: Int { downloads.running + images.running }

    /// What one pass did.
    struct Pass {
        /// The drain's report, when the pass drained the inbox.
        var drain: IngestLoop.DrainReport?
        /// Seconds until a stage wants its next step (nil: only a transfer's or a worker's news brings work).
        var nextStep: Double?
    }

    /// One pass: start-up recovery the first time, then every `recoveryInterval` the work of stopped processes taken
    /// over; the inbox drained when `drain` is set (only drops that arrived by `arrivedBy`, when given); the download
    /// and image stages stepped. A stop request ends the drain between batches.
    func pass(drain: Bool, arrivedBy: Timestamp? = nil) throws -> Pass {
        var tookOver = false
        if !recovered {
            try ingest.recover()
            recovered = true
            lastTakeOver = Date()
            tookOver = true
        } else if Date().timeIntervalSince(lastTakeOver) >= configuration.recoveryInterval {
            try ingest.takeOverStoppedWork()
            lastTakeOver = Date()
            tookOver = true
        }
        let report = drain ? try ingest.drainInbox(arrivedBy: arrivedBy, stopRequested: { wakeup.stopRequested }) : nil
        // Each stage steps even when the other's step fails; the first failure is then the pass's.
        let downloadStep = Result { try downloads.step() }
        // Drops committed since the image stage last looked (by this pass's drain, a take-over, or a failed pass's), or
        // jobs a take-over put back in the queue.
        let newRequests = ingest.handled != handledAtImageLook || tookOver
        handledAtImageLook = ingest.handled
        let imageStep = Result { try images.step(newRequests: newRequests) }
        return Pass(drain: report, nextStep: [try downloadStep.get(), try imageStep.get()].compactMap { $0 }.min())
    }

    /// Hands the jobs back and leaves nothing claimed: the end of every loop, whatever ended it.
    func stop() {
        images.handBack()
        downloads.handBack()
        // Bytes whose rows went meanwhile (a crashed attempt's result, replaced): gone before the process is.
        try? ingest.removePendingUnlinks()
        ingest.work.removeIfEmpty()
        publisher.poke(urgent: true)
    }
}
