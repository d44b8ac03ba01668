import ArgumentParser
import Catalogue
import Logging
import Pipeline
import SluiceCore
import ServiceLifecycle
import UnixSignals

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch inbox/ and run the pipeline, without the HTTP reader (a daemon).",
        discussion: """
            Any number of `watch` and `run` processes may share one root: each drop is handled once.

            Example:
              sluice watch --root /srv/sluice
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var links: LinkOptions

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        let layout = try RootLayout(root: path)
        let service = try PipelineService(layout: layout, configuration: pipeline.configuration(root: path, baseURL: links.baseUrl),
                                           catalogue: try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path)), logger: logger)
        logger.info("sluice watch", metadata: ["root": "\(path)"])
        let release = StartupCodeRelease.scheduled()
        defer { release.cancel() }
        try await ServiceGroup.sluice([service.publisher, service], logger: logger).run()
    }
}
