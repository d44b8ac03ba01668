import ArgumentParser
import Foundation
import SluiceCore

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Drop files into inbox/ safely (written under a hidden name, then renamed in); prints each receipt's path.",
        discussion: """
            A name already waiting in inbox/ is never overwritten: the new drop waits until it has been taken.
            An upload can carry its File's name and comment (--name, --comment): they go with the file as extended \
            attributes (user.sluice.name, user.sluice.comment), so the File's first published state has them.

            Examples:
              sluice submit request.json photo.jpg
              sluice submit --name "Cat on the sofa.jpg" --comment "taken at home" IMG_0042.jpg
              echo '{"op": "download", "url_list": ["https://example.com/a.pdf"]}' | sluice submit -
            """)

    @OptionGroup var root: RootOptions

    @Option(help: "The File's name, for one upload (default: the file's own name).")
    var name: String?
    @Option(help: "The File's comment, for one upload.")
    var comment: String?

    @Argument(help: "Files to drop, or - to read one request from standard input.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file, or - for standard input") }
        if name != nil || comment != nil {
            guard files.count == 1, files[0] != "-", !RootLayout.isRequestFile(files[0]) else {
                throw ValidationError("--name and --comment are for one plain file (an upload), not for request files or several files")
            }
            let limits = Limits()
            if let name, let problem = FileFields.nameProblems(name, limits: limits).first { throw ValidationError("--name \(problem)") }
            if let comment, let problem = FileFields.commentProblems(comment, limits: limits).first { throw ValidationError("--comment \(problem)") }
        }
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
            var attributes: [(key: String, value: String)] = []
            if let given = self.name { attributes.append((UploadAttributes.name, given)) }
            if let comment { attributes.append((UploadAttributes.comment, comment)) }
            try InboxDrop.put(bytes, as: name, in: inbox, attributes: attributes)
            let receipt = RootLayout.receiptName(for: name, requestID: "<request id>")
            print(root.absoluteRoot + "/" + RootLayout.receiptsFolder + "/" + receipt
                  + (receipt.hasPrefix("<") ? "  (the name is too long: the receipt is named by its request id)" : ""))
        }
    }
}
