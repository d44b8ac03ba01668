/// The catalogue: system of record and durable queue (seed 003's swappable storage class).
///
/// Every write happens in `write`, atomically: all of the closure's changes or none. A write that changes
/// anything the outbox shows (a file, a deletion, a request) takes the next tick of the catalogue's clock, and each
/// of those it writes carries that version: the outbox is published by reading what changed after the last
/// published version. Changes to jobs and pending unlinks alone take none.
public protocol CatalogueStore: Sendable {
    func read<T>(_ body: (any CatalogueReading) throws -> T) throws -> T
    func write<T>(_ body: (any CatalogueWriting) throws -> T) throws -> T
    /// Deferred upkeep (SQLite: folding the write-ahead log into the database), called when the pipeline is idle.
    func performIdleMaintenance() throws
    /// The version of the newest committed change (0 when none), read on its own: what `read`'s `currentVersion`
    /// answers, where a store can answer it more cheaply than a read transaction (the reader asks it per request).
    func currentVersion() throws -> Int64
}

extension CatalogueStore {
    public func currentVersion() throws -> Int64 { try read { try $0.currentVersion() } }
}

/// What a snapshot of the catalogue answers.
public protocol CatalogueReading {
    func file(id: String) throws -> FileRecord?
    /// Files in listing order with `seq > afterSeq`, at most `limit`.
    func files(afterSeq: Int64, limit: Int) throws -> [FileRecord]
    /// Files with `lower <= seq < upper`, in listing order.
    func files(seqFrom lower: Int64, to upper: Int64) throws -> [FileRecord]
    func fileCount() throws -> Int
    /// The highest seq ever assigned (0 when none).
    func lastFileSeq() throws -> Int64
    func request(id: String) throws -> RequestRecord?
    /// The version of the newest committed change (0 when none).
    func currentVersion() throws -> Int64
    /// The version up to which the outbox has been published.
    func publishedVersion() throws -> Int64
    /// Files inserted or updated at versions in `(after, upTo]`, in listing order.
    func filesChanged(after: Int64, upTo: Int64) throws -> [FileRecord]
    /// Files deleted at versions in `(after, upTo]`.
    func filesDeleted(after: Int64, upTo: Int64) throws -> [DeletedObject]
    /// Requests committed at versions in `(after, upTo]`.
    func requestsCommitted(after: Int64, upTo: Int64) throws -> [RequestRecord]
    /// The newest `limit` requests committed at versions up to `upTo`, newest first; a receipt over
    /// `RequestRecord.summarisedReceiptBytes` comes empty (a batch's receipt of megabytes is not read for a summary).
    func recentRequests(limit: Int, upTo: Int64) throws -> [RequestRecord]
    /// Stored bytes whose rows are gone, to remove from disk.
    func pendingUnlinks(limit: Int) throws -> [String]
    /// Jobs not yet finished (pending or running).
    func unfinishedJobCount() throws -> Int
    /// Jobs that no process holds (due now or later).
    func queuedJobCount() throws -> Int
    /// The owners holding running jobs.
    func jobOwners() throws -> [String]

    func pet(id: String) throws -> PetRecord?
    /// Pets in listing order, `offset` of them skipped; with `hasPhotos`, only those with (or without) a photo.
    func pets(hasPhotos: Bool?, offset: Int, limit: Int) throws -> [PetRecord]
    /// Pets with `seq > afterSeq` in listing order, at most `limit`; with `hasPhotos`, filtered as above.
    func pets(afterSeq: Int64, limit: Int, hasPhotos: Bool?) throws -> [PetRecord]
    /// Pets with `lower <= seq < upper`, in listing order.
    func pets(seqFrom lower: Int64, to upper: Int64) throws -> [PetRecord]
    /// How many pets there are (with `hasPhotos`: with, or without, a photo); kept, not counted.
    func petCount(hasPhotos: Bool?) throws -> Int
    /// The highest pet seq ever assigned (0 when none).
    func lastPetSeq() throws -> Int64
    /// Pets inserted or changed at versions in `(after, upTo]`, in listing order.
    func petsChanged(after: Int64, upTo: Int64) throws -> [PetRecord]
    /// Pets deleted at versions in `(after, upTo]`.
    func petsDeleted(after: Int64, upTo: Int64) throws -> [DeletedObject]
    /// The pet whose photo the File `fileID` is (ready or not), if any.
    func photoOwner(fileID: String) throws -> String?
    func task(id: String) throws -> TaskRecord?
    /// Tasks in listing order with `seq > afterSeq`, at most `limit`.
    func tasks(afterSeq: Int64, limit: Int) throws -> [TaskRecord]
    /// Tasks with `lower <= seq < upper`, in listing order.
    func tasks(seqFrom lower: Int64, to upper: Int64) throws -> [TaskRecord]
    func taskCount() throws -> Int
    /// The highest task seq ever assigned (0 when none).
    func lastTaskSeq() throws -> Int64
    /// Tasks inserted or changed at versions in `(after, upTo]`, in listing order.
    func tasksChanged(after: Int64, upTo: Int64) throws -> [TaskRecord]
    /// Soonest `not_before` among unclaimed jobs of `kind`, if any.
    func nextJobDue(kind: Job.Kind) throws -> Timestamp?
    /// Counts for `/metrics`: one scan of the files and tasks (a scrape every few seconds, not a request path).
    func statistics() throws -> CatalogueStatistics
}

/// What `/metrics` shows of the catalogue.
public struct CatalogueStatistics: Sendable, Equatable {
    /// Requests committed (drops with a receipt), ever.
    public var requests = 0
    public var filesByStatus: [String: Int] = [:]
    public var tasksByStatus: [String: Int] = [:]
    /// Jobs by kind, queued (no owner) and running (claimed).
    public var queuedJobs: [String: Int] = [:]
    public var runningJobs: [String: Int] = [:]
    public var pets = 0
    /// Bytes of the downloaded files now stored.
    public var downloadedBytes = 0
    public init() {}
}

/// What a write transaction may change.
///
/// Each object's fields have one owner, and a writer changes only its own: a user's request edits `name` and
/// `comment` (`editFile`), a stage its status and what the bytes say (`updateFile(id:stage:)`). Nothing writes a
/// whole object back, so a change made while a stage runs survives the stage's result.
public protocol CatalogueWriting: CatalogueReading {
    /// Inserts and assigns `file.seq`.
    func insertFile(_ file: inout FileRecord) throws
    /// A user's edit: sets the fields given (a `name` marks the file renamed); the updated File, or nil when none has `id`.
    func editFile(id: String, name: String?, comment: String?) throws -> FileRecord?
    /// A stage's result: its status and stored bytes, and the source's name unless a user renamed the file.
    /// False when the file is gone.
    func updateFile(id: String, stage update: FileStageUpdate) throws -> Bool
    /// Moves the file to `status`, clearing its error, only from one of `from`; true when it moved.
    func setFileStatus(id: String, to status: FileRecord.Status, from: Set<FileRecord.Status>) throws -> Bool
    /// Deletes the row and records the deletion (for the outbox) at this transaction's version. A photo's File takes
    /// its place among its pet's photos with it; a task whose result it was keeps no result.
    func deleteFile(id: String) throws
    /// Inserts and assigns `pet.seq`.
    func insertPet(_ pet: inout PetRecord) throws
    /// Makes the File `fileID` a photo of `petID`, listed among its photos once `ready` (at once, or by
    /// `markPhotoReady`). A File is the photo of one pet at most.
    func attachPhoto(fileID: String, petID: String, ready: Bool) throws
    /// Lists a photo whose bytes are now stored; false when the File is no pet's photo.
    func markPhotoReady(fileID: String) throws -> Bool
    /// Deletes the pet and records the deletion; returns its photos' File ids (ready or not), for the caller to
    /// delete, or nil when there is no such pet.
    func deletePet(id: String) throws -> [String]?
    /// Inserts and assigns `task.seq`.
    func insertTask(_ task: inout TaskRecord) throws
    /// Moves the task to the update's status (with its error and result) only from one of `from`; true when it moved.
    func updateTask(id: String, stage update: TaskStageUpdate, from: Set<TaskRecord.Status>) throws -> Bool
    /// Throws `CatalogueError.duplicateRequest` when the id is committed already: the exactly-once guard.
    func insertRequest(_ request: RequestRecord) throws
    /// Records that the outbox shows every change up to `version` (never moves back).
    func markPublished(upTo version: Int64) throws
    func addUnlink(_ path: String) throws
    func removeUnlinks(_ paths: [String]) throws
    func enqueueJob(_ job: Job) throws
    /// Takes up to `limit` pending jobs due at `now` for `owner`, marking them running.
    func claimJobs(kind: Job.Kind, owner: String, now: Timestamp, limit: Int) throws -> [Job]
    /// Notes, before they are linked, where a job's result bytes go (`placedPath`), so that a crash between the link
    /// and the commit leaves a record to clean up from. Only the job's owner may; the bytes an earlier attempt placed
    /// elsewhere (`job.placedPath`, as claimed) are queued for removal, and a removal queued for `path` is withdrawn.
    func recordPlacement(job: Job, owner: String, path: String) throws -> JobHold
    /// Notes that the work of the jobs `jobIDs` that `owner` holds has started (a transfer, a worker): should the owner
    /// die from now on, each spends an attempt when released.
    func markBegun(jobIDs: [String], owner: String) throws
    /// Removes a job (its work is committed) when `owner` holds it (nil: when nobody does).
    func finishJob(id: String, owner: String?) throws -> JobHold
    /// Puts a job `owner` holds back to pending, due at `notBefore`, with its attempt count.
    func retryJob(id: String, owner: String, attempts: Int, notBefore: Timestamp) throws -> JobHold
    /// Removes the jobs working on `subject` (it was deleted), and queues any bytes they placed for removal.
    func deleteJobs(subject: String) throws
    /// Puts `owner`'s running jobs back to pending; returns them. `countingAnAttempt` when the owner died before
    /// finishing them (kill -9, a crash): each job that had begun (`markBegun`, its File `downloading` or its bytes
    /// placed, its task `processing`) counts
    /// an attempt, so a job that keeps killing its process ends; one that was only claimed, waiting its turn, does not.
    /// Only jobs of `kind`, when given.
    func releaseJobs(owner: String, kind: Job.Kind?, countingAnAttempt: Bool) throws -> [Job]
}

extension CatalogueWriting {
    /// Every kind of `owner`'s running jobs back to pending.
    public func releaseJobs(owner: String, countingAnAttempt: Bool) throws -> [Job] {
        try releaseJobs(owner: owner, kind: nil, countingAnAttempt: countingAnAttempt)
    }
}

/// Whether a job was still its owner's when the owner acted on it.
public enum JobHold: Sendable, Equatable {
    /// It was, and the change is made.
    case held
    /// It no longer exists (its subject was deleted): nothing is changed.
    case gone
    /// Another process holds it, or none does (this one was taken for dead): nothing is changed.
    case notHeld
}

public enum CatalogueError: Error, Sendable, Equatable {
    /// The request id is committed already; nothing of this transaction was applied.
    case duplicateRequest(String)
    /// The storage itself failed; `message` says how.
    case storage(code: Int32, message: String)
}

/// A committed request: its receipt and what becomes of the dropped file.
public struct RequestRecord: Sendable, Equatable {
    public var id: String
    /// The dropped file's name in `inbox/`.
    public var name: String
    /// The receipt's file name under `outbox/receipts/`.
    public var receiptName: String
    public var receipt: [UInt8]
    /// Where the dropped file goes once committed, relative to the root: `upload/<kind>/<id><ext>` for an
    /// upload, `inbox/.done/…` for a request file, `inbox/.rejected/…` for one refused whole.
    public var destination: String

    public init(id: String, name: String, receiptName: String, receipt: [UInt8], destination: String) {
        self.id = id; self.name = name; self.receiptName = receiptName; self.receipt = receipt; self.destination = destination
    }

    /// Receipts up to this size are read for the browse page's summary of recent drops.
    public static let summarisedReceiptBytes = 64 << 10

    /// True when the drop was refused whole and its file kept in `inbox/.rejected/`.
    public var isRejected: Bool { destination.hasPrefix(RootLayout.rejectedFolder + "/") }
}

/// A file or pet that was deleted, as the publisher needs it (its object file to remove, its page to rewrite).
public struct DeletedObject: Sendable, Equatable {
    public var id: String
    public var seq: Int64
    public init(id: String, seq: Int64) { self.id = id; self.seq = seq }
    public var page: Int64 { seq / listingPageSize }
}

/// A unit of slow work (a download, an image task) in the durable queue.
public struct Job: Sendable, Equatable {
    /// A download's subject is its File; an image job's is its task.
    public enum Kind: String, Sendable { case download, image }
    public var id: String
    public var kind: Kind
    /// The object the job works on (a file id).
    public var subject: String
    /// What the job needs (the URL).
    public var payload: String
    public var attempts: Int
    public var notBefore: Timestamp
    /// Where an attempt placed its result bytes before committing them (`recordPlacement`); nil when none did.
    public var placedPath: String?

    public init(id: String, kind: Kind, subject: String, payload: String, attempts: Int = 0, notBefore: Timestamp,
                placedPath: String? = nil) {
        self.id = id; self.kind = kind; self.subject = subject; self.payload = payload; self.attempts = attempts
        self.notBefore = notBefore; self.placedPath = placedPath
    }
}

/// Objects per listing page under `outbox/files/` and `outbox/pets/`: page *n* holds sequence numbers
/// `[n × 100, n × 100 + 100)`.
public let listingPageSize: Int64 = 100

extension FileRecord {
    /// The listing page this file is on: `seq / listingPageSize`.
    public var page: Int64 { seq / listingPageSize }
}
