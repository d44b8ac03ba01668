public import SluiceCore

/// The outbox's folders, open for `*at` calls.
struct OutboxFolders: Sendable {
    let files: Directory
    let receipts: Directory
    let pets: Directory
    let tasks: Directory
    let results: Directory
    /// The root, for the stored bytes results are linked from.
    let root: Directory
    /// `outbox/` itself (the browse page's summary of recent receipts).
    let outbox: Directory

    init(root: String) throws {
        self.root = try Directory(path: root, create: false)
        outbox = try Directory(path: root + "/" + RootLayout.outboxFolder, create: true)
        tasks = try Directory(path: root + "/" + RootLayout.tasksFolder, create: true)
        results = try Directory(path: root + "/" + RootLayout.resultsFolder, create: true)
        files = try Directory(path: root + "/" + RootLayout.filesFolder, create: true)
        receipts = try Directory(path: root + "/" + RootLayout.receiptsFolder, create: true)
        pets = try Directory(path: root + "/" + RootLayout.petsFolder, create: true)
    }
}
