import ArgumentParser
import Catalogue
import Foundation
import SluiceCore

/// `sluice export …`: seed 004's command-line export.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the catalogue's pets to standard output as JSON.",
        subcommands: [ExportPets.self])
}

struct ExportPets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pets",
        abstract: "Write the pets as seed 004's JSON, {\"pets\": [...]} with photos as a list of URLs, to standard output.",
        discussion: """
            Streamed, 500 pets a read: memory stays flat however many pets there are. Reads the catalogue read-only, \
            beside a running `watch` or `up`; a pet created or deleted while the export runs may or may not be in it.

            Examples:
              sluice export pets > pets.json
              sluice export pets --has-photos true --base-url https://pets.example.org
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var links: LinkOptions

    @Option(help: "Only the pets with (true) or without (false) a photo; all when not given.")
    var hasPhotos: String?

    func validate() throws {
        guard hasPhotos == nil || hasPhotos == "true" || hasPhotos == "false" else {
            throw ValidationError("--has-photos must be true or false, not \"\(hasPhotos!)\"")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.absoluteRoot, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("no folder \(root.absoluteRoot): give --root the folder holding inbox/, upload/ and outbox/")
        }
    }

    func run() throws {
        let filter = hasPhotos.map { $0 == "true" }
        let catalogue = ReadOnlyCatalogue(path: RootLayout.cataloguePath(root: root.absoluteRoot))
        var output = StandardOutput()
        output.write(Array(#"{"pets":["#.utf8))
        var after: Int64 = 0
        var first = true
        while true {
            let pets = try catalogue.read { try $0.pets(afterSeq: after, limit: 500, hasPhotos: filter) }
            guard let last = pets.last else { break }
            var json = JSONWriter(capacity: 256 * pets.count)
            for pet in pets {
                if !first { json.raw([UInt8(ascii: ",")]) }
                first = false
                pet.writeExport(to: &json, baseURL: links.baseUrl)
            }
            output.write(json.bytes)
            after = last.seq
        }
        output.write(Array("]}\n".utf8))
        try output.finish()
    }
}

/// Standard output, written in large pieces.
struct StandardOutput {
    private var failed = false
    private var failure: Int32 = 0

    mutating func write(_ bytes: [UInt8]) {
        guard !failed else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failed = true; failure = n < 0 ? errno : EIO; return }
                offset += n
            }
        }
    }

    /// Throws when a write failed (a closed pipe, a full disk).
    func finish() throws {
        if failed { throw CommandFailure("could not write the export to standard output: \(String(cString: strerror(failure)))") }
    }
}
