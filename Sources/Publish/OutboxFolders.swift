public import SluiceCore

/// The outbox's folders, open for `*at` calls.
struct OutboxFolders: Sendable {
    let files: Directory
    let receipts: Directory
    let pets: Directory

    init(root: String) throws {
        files = try Directory(path: root + "/" + RootLayout.filesFolder, create: true)
        receipts = try Directory(path: root + "/" + RootLayout.receiptsFolder, create: true)
        pets = try Directory(path: root + "/" + RootLayout.petsFolder, create: true)
    }
}
