import ArgumentParser

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A batch pipeline: drop JSON request files (or any file) into inbox/, read the results from outbox/.",
        discussion: """
            A root holds inbox/ (drops), upload/ (stored files), outbox/ (static results) and .sluice/ (the catalogue).

            Examples:
              sluice up                         # watch ./inbox and serve ./outbox on http://127.0.0.1:8000
              sluice submit request.json        # drop a request safely; prints its receipt's path
              sluice run --root /srv/sluice     # from cron: drain the inbox, finish downloads and image tasks, exit
              sluice demo                       # fill ./ with demo pets, photos and files (no network)
              sluice export pets --has-photos true > pets.json
            """,
        subcommands: [Up.self, Watch.self, Run.self, Serve.self, Submit.self, Export.self, Demo.self, ImageWorkerCommand.self]
    )
}
