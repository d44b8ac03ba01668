import ArgumentParser
import Catalogue
import Foundation
import Logging
import Pipeline
import SluiceCore
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Batch mode for cron: take the drops in inbox/, wait for their downloads, publish, print a summary, exit.",
        discussion: """
            Takes the drops that were in inbox/ when it began (later ones wait for the next run or a watch) and waits \
            for the downloads no live process holds. Safe beside a running `watch` or another `run`.

            Exit status: 0 when the run completed, even if some requests were refused (their receipts say why); \
            3 when SIGTERM or SIGINT stopped it first (what it had not finished goes back to the queue); 1 when \
            Sluice itself could not work, or could not commit a drop (the reason is on stderr).

            Example (crontab):
              */5 * * * * cd /srv/sluice && /usr/local/bin/sluice run >> run.log 2>&1
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var links: LinkOptions

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        let layout = try RootLayout(root: path)
        let catalogue = try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path))
        let batch = try BatchRun(layout: layout, configuration: pipeline.configuration(root: path, baseURL: links.baseUrl), catalogue: catalogue, logger: logger) { line in
            FileHandle.standardError.write(Data(("sluice run: " + line + "\n").utf8))
        }
        try await ServiceGroup.sluice([batch.publisher, batch], logger: logger).run()
        let summary = batch.summary
        var line = "sluice run: \(summary.drops) drop\(summary.drops == 1 ? "" : "s") handled"
        if summary.rejected > 0 { line += " (\(summary.rejected) refused whole; see inbox/.rejected/)" }
        if summary.leftBusy > 0 { line += "; \(summary.leftBusy) still being written, left for the next run" }
        if summary.leftForLater > 0 { line += "; \(summary.leftForLater) arrived after the run began, left for the next run" }
        line += String(format: " in %.2f s", summary.seconds)
        if summary.interrupted {
            print(line + "; interrupted: unfinished downloads went back to the queue for the next run or watch")
            throw ExitCode(Self.interruptedExitCode)
        }
        if summary.leftClaimed > 0 {
            print(line + "; \(summary.leftClaimed) could not be committed (see the errors above) and wait for the next run")
            throw ExitCode.failure
        }
        print(line)
    }

    /// The exit status of a run stopped by SIGTERM or SIGINT before its work was done.
    static let interruptedExitCode: Int32 = 3
}
