import ArgumentParser
import Catalogue
import Hummingbird
import Logging
import Pipeline
import SluiceCore
import Reader
import ServiceLifecycle
import UnixSignals

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "The main job: watch inbox/, run the pipeline and serve outbox/ over HTTP, in one process.",
        discussion: """
            Stops cleanly on SIGINT or SIGTERM.

            Examples:
              sluice up                                   # this folder, http://127.0.0.1:8000
              sluice up --root /srv/sluice --port 9000
              SLUICE_API_KEY=secret sluice up             # the reader wants X-API-KEY: secret
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var links: LinkOptions
    @OptionGroup var reader: ReaderOptions

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        let layout = try RootLayout(root: path)
        let service = try PipelineService(layout: layout, configuration: pipeline.configuration(root: path, baseURL: links.baseUrl),
                                           catalogue: try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path)), logger: logger)
        let app = ReaderApplication.service(configuration: reader.configuration(root: path, baseURL: links.baseUrl),
                                         catalogue: try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path), readOnly: true), logger: logger)
        logger.info("sluice up", metadata: ["root": "\(path)", "reader": "http://\(reader.host):\(reader.port)"])
        // Shut down in reverse: the reader stops, the pipeline hands its jobs back, the publisher publishes that.
        let release = StartupCodeRelease.scheduled()
        defer { release.cancel() }
        try await ServiceGroup.sluice([service.publisher, service, app], logger: logger).run()
    }
}
