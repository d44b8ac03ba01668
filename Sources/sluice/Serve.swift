import ArgumentParser
import Catalogue
import Logging
import Pipeline
import Reader
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The read-only HTTP reader alone, over a root another process fills.",
        discussion: """
            Example:
              sluice serve --root /srv/sluice --port 8080
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var reader: ReaderOptions

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        _ = try RootLayout(root: path)
        _ = try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path)) // creates and migrates a new root's catalogue
        var configuration = ReaderConfiguration(root: path)
        configuration.host = reader.host
        configuration.port = reader.port
        configuration.apiKey = reader.effectiveAPIKey
        let app = ReaderApplication.make(configuration: configuration,
                                         catalogue: try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path), readOnly: true), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
