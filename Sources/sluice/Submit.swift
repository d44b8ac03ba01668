import ArgumentParser
import Foundation
import SluiceCore

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop files into inbox/ safely (written under a hidden name, then renamed in); prints each receipt's path.",
        discussion: """
            A name already waiting in inbox/ is never overwritten: the new drop waits until it has been taken.

            Examples:
              sluice submit request.json photo.jpg
              echo '{"op": "download", "url_list": ["https://example.com/a.pdf"]}' | sluice submit -
            """)

    @OptionGroup var root: RootOptions

    @Argument(help: "Files to drop, or - to read one request from standard input.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file, or - for standard input") }
    }

    func run() throws {
        let inbox = root.absoluteRoot + "/" + RootLayout.inboxFolder
        try Directory.makePath(inbox)
        for file in files {
            let bytes: Data
            let name: String
            if file == "-" {
                bytes = FileHandle.standardInput.readDataToEndOfFile()
                name = "stdin-\(Identifier.make().suffix(12)).json"
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file): no such file, or not readable")
                }
                bytes = data
                name = (file as NSString).lastPathComponent
            }
            try InboxDrop.put(bytes, as: name, in: inbox)
            let receipt = RootLayout.receiptName(for: name, requestID: "<request id>")
            print(root.absoluteRoot + "/" + RootLayout.receiptsFolder + "/" + receipt
                  + (receipt.hasPrefix("<") ? "  (the name is too long: the receipt is named by its request id)" : ""))
        }
    }
}
