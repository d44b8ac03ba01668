public import Publish
public import SluiceCore
public import Spool
public import Logging

/// The pipeline's working parts, wired together: the ingest loop and the download stage, the publisher that shows
/// what they commit, and the wake-up they share. `PipelineService` and `BatchRun` drive the same parts in their loops.
public struct PipelineStages: Sendable {
    public let ingest: IngestLoop
    public let downloads: DownloadStage
    public let publisher: PublisherService
    /// Posted by inbox hints, transfers and stop requests; the driving loop waits on it.
    public let wakeup = Wakeup()

    public init(layout: RootLayout, configuration: PipelineConfiguration, catalogue: any CatalogueStore, logger: Logger) throws {
        ingest = try IngestLoop(layout: layout, catalogue: catalogue, configuration: configuration, logger: logger)
        let publisher = PublisherService(publisher: ingest.publisher, logger: logger)
        self.publisher = publisher
        ingest.onCommit = { publisher.poke() }
        downloads = DownloadStage(layout: layout, catalogue: catalogue, configuration: configuration,
                                  owner: ingest.work.owner, logger: logger, wakeup: wakeup) { publisher.poke() }
    }

    /// Hands the jobs back and leaves nothing claimed: the end of every loop, whatever ended it.
    func stop() {
        downloads.handBack()
        ingest.work.removeIfEmpty()
        publisher.poke()
    }
}
