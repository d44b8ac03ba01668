/// A root's folders and the rules that name everything in them: the one owner of the disk layout.
///
/// The static members are the rules (paths relative to the root, and the names of stored files, claims, archived
/// drops and receipts) that the spool, the stages, the publisher and the reader share. An instance holds the
/// folders a writer works in, created when missing and open for `*at` calls; the read-only reader never makes one.
public struct RootLayout: Sendable {
    // MARK: Paths relative to the root

    /// Where drops arrive. Only regular files at its top level count; hidden names are Sluice's own.
    public static let inboxFolder = "inbox"
    /// `inbox/.work/`: one folder per live process (`<pid>-<nonce>`), holding the drops it has claimed, locked while
    /// it lives; inside `inbox/`, so that claiming is a rename on one file system.
    public static let workFolderInInbox = ".work"
    /// Processed request files, `<request id>-<name>`.
    public static let doneFolder = "inbox/.done"
    /// Request files refused whole, each beside a `.error` copy of its receipt.
    public static let rejectedFolder = "inbox/.rejected"
    /// The file store: `upload/<kind>/<id><ext>`.
    public static let uploadFolder = "upload"
    /// Downloads in progress (unnamed files, or `<key>.part` where the file system has none).
    public static let partialFolder = "upload/.part"
    public static let outboxFolder = "outbox"
    /// Published objects and their paged listings.
    public static let filesFolder = "outbox/files"
    /// One receipt per drop name.
    public static let receiptsFolder = "outbox/receipts"
    /// Published pets and their paged listings.
    public static let petsFolder = "outbox/pets"
    /// Published image tasks and their paged listings.
    public static let tasksFolder = "outbox/tasks"
    /// Each finished task's result image, `<task id><ext>` (`resultName`).
    public static let resultsFolder = "outbox/results"
    /// `resultsFolder` relative to `outbox/` (as the reader and the browse page name it).
    public static let resultsFolderInOutbox = "results"
    /// The newest receipts, summarised for the browse page, under `outbox/` (outside `receipts/`, where any drop name
    /// may land).
    public static let recentReceiptsName = "recent-receipts.json"
    /// Sluice's own state: the catalogue and the publisher's lock.
    public static let stateFolder = ".sluice"
    public static let catalogueFile = ".sluice/catalogue.sqlite"
    public static let publishLockFile = ".sluice/publish.lock"

    /// The catalogue of the root at `root` (an absolute or working-directory-relative path).
    public static func cataloguePath(root: String) -> String { root + "/" + catalogueFile }

    // MARK: Names

    /// Where a stored file's bytes live: `upload/<kind>/<id><ext>` (`ext` with its dot, or empty).
    public static func storedFile(kind: ContentKind, id: String, extension ext: String) -> String {
        "\(uploadFolder)/\(kind.rawValue)/\(id)\(ext)"
    }

    /// Where an image worker writes a job's result before it is stored: `upload/.part/.tmp-<pid>-task-<job id>`, the
    /// pid being the daemon's (a `.tmp-<pid>-` name `Directory.removeStaleTemporaries` removes once that pid is gone).
    public static func taskResultTemporary(pid: Int32, jobID: String) -> String { "\(partialFolder)/.tmp-\(pid)-task-\(jobID)" }

    /// A finished task's result under `outbox/results/`: `<task id><ext>`.
    public static func resultName(taskID: String, extension ext: String) -> String { taskID + ext }

    /// `<request id>-<name>`: a drop's name while claimed and once archived; nil when that is longer than a file
    /// name may be (255 bytes).
    public static func taggedName(_ name: String, requestID: String) -> String? {
        let tagged = requestID + "-" + name
        return tagged.utf8.count <= 255 ? tagged : nil
    }

    /// Where a handled drop's file is kept: `inbox/.done/<request id>-<name>`, or under `inbox/.rejected/` when it
    /// was refused whole; `<request id>` alone when the name is too long to carry it.
    public static func archivedDrop(_ name: String, requestID: String, rejected: Bool) -> String {
        (rejected ? rejectedFolder : doneFolder) + "/" + (taggedName(name, requestID: requestID) ?? requestID)
    }

    /// Request files are `*.json`; every other regular file is an upload.
    public static func isRequestFile(_ name: String) -> Bool { name.hasSuffix(".json") }

    /// A drop's receipt under `outbox/receipts/`: `batch.json` → `batch.json`; `cat.jpg` → `cat.jpg.json`; a name too
    /// long for that → `<request id>.json`.
    public static func receiptName(for name: String, requestID: String) -> String {
        let candidate = isRequestFile(name) ? name : name + ".json"
        return candidate.utf8.count <= 255 ? candidate : requestID + ".json"
    }

    // MARK: The folders a writer works in

    public let root: Directory
    public let inbox: Directory
    public let upload: Directory
    public let partial: Directory
    public let rejected: Directory
    public let state: Directory

    /// Opens the root's folders, creating what is missing (a writer's first run on a new root).
    public init(root path: String) throws {
        root = try Directory(path: path, create: true)
        inbox = try Directory(path: path + "/" + Self.inboxFolder, create: true)
        upload = try Directory(path: path + "/" + Self.uploadFolder, create: true)
        partial = try Directory(path: path + "/" + Self.partialFolder, create: true)
        state = try Directory(path: path + "/" + Self.stateFolder, create: true)
        for kind in ContentKind.allCases { try Directory.makePath(path + "/" + Self.uploadFolder + "/" + kind.rawValue) }
        try Directory.makePath(path + "/" + Self.doneFolder)
        rejected = try Directory(path: path + "/" + Self.rejectedFolder, create: true)
        try Directory.makePath(path + "/" + Self.filesFolder)
        try Directory.makePath(path + "/" + Self.receiptsFolder)
        try Directory.makePath(path + "/" + Self.petsFolder)
        try Directory.makePath(path + "/" + Self.tasksFolder)
        try Directory.makePath(path + "/" + Self.resultsFolder)
    }
}
