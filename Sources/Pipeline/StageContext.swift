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
