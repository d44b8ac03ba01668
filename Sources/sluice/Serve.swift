import ArgumentParser
import Catalogue
import Logging
import SluiceCore
import Reader
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The read-only HTTP reader alone, over a root another process fills.",
        discussion: """
            Example:
              sluice serve --root /srv/sluice --port 8080
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var reader: ReaderOptions
    @OptionGroup var links: LinkOptions

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        // Read-only: nothing is created or migrated; an empty root serves an empty catalogue until a writer fills it.
        let app = ReaderApplication.service(configuration: reader.configuration(root: path, baseURL: links.baseUrl),
                                         catalogue: ReadOnlyCatalogue(path: RootLayout.cataloguePath(root: path)), logger: logger)
        let release = StartupCodeRelease.scheduled()
        defer { release.cancel() }
        try await ServiceGroup.sluice([app], logger: logger).run()
    }
}
