public import SluiceCore

/// The folders of a root, created when missing, open for `*at` calls.
public struct RootLayout: Sendable {
    public let root: Directory
    public let inbox: Directory
    public let upload: Directory
    /// `upload/.part/`: downloads in progress, renamed into `upload/<kind>/` when complete.
    public let partial: Directory
    /// `inbox/.rejected/`: request files refused whole, each with a `.error` note.
    public let rejected: Directory
    /// Where the catalogue lives: `.sluice/catalogue.sqlite`.
    public let state: Directory

    public init(root path: String) throws {
        root = try Directory(path: path, create: true)
        inbox = try Directory(path: path + "/inbox", create: true)
        upload = try Directory(path: path + "/upload", create: true)
        partial = try Directory(path: path + "/upload/.part", create: true)
        state = try Directory(path: path + "/.sluice", create: true)
        for kind in ContentKind.allCases { try Directory.makePath(path + "/upload/" + kind.rawValue) }
        try Directory.makePath(path + "/" + Drop.doneFolder)
        rejected = try Directory(path: path + "/" + Drop.rejectedFolder, create: true)
        try Directory.makePath(path + "/outbox/files")
        try Directory.makePath(path + "/outbox/receipts")
    }

    public static func cataloguePath(root: String) -> String { root + "/.sluice/catalogue.sqlite" }
}
