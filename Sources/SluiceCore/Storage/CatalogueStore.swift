/// The catalogue: system of record and durable queue (seed 003's swappable storage class).
///
/// Every write happens in `write`, atomically: all of the closure's changes or none.
public protocol CatalogueStore: Sendable {
    func read<T>(_ body: (any CatalogueReading) throws -> T) throws -> T
    func write<T>(_ body: (any CatalogueWriting) throws -> T) throws -> T
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
    /// Outbox entries to (re)write, oldest first.
    func dirtyMarks(limit: Int) throws -> [DirtyMark]
    /// Stored bytes whose rows are gone, to remove from disk.
    func pendingUnlinks(limit: Int) throws -> [String]
    /// Jobs not yet finished (pending or running).
    func unfinishedJobCount() throws -> Int
    /// Soonest `not_before` among unclaimed jobs of `kind`, if any.
    func nextJobDue(kind: Job.Kind) throws -> Timestamp?
}

/// What a write transaction may change.
public protocol CatalogueWriting: CatalogueReading {
    /// Inserts and assigns `file.seq`.
    func insertFile(_ file: inout FileRecord) throws
    func updateFile(_ file: FileRecord) throws
    func deleteFile(id: String) throws
    /// Throws `CatalogueError.duplicateRequest` when the id is committed already: the exactly-once guard.
    func insertRequest(_ request: RequestRecord) throws
    func markDirty(_ key: OutboxKey) throws
    /// Forgets marks that have been published, unless they were marked again since.
    func clearDirty(_ marks: [DirtyMark]) throws
    func addUnlink(_ path: String) throws
    func removeUnlinks(_ paths: [String]) throws
    func enqueueJob(_ job: Job) throws
    /// Takes up to `limit` pending jobs due at `now` for `owner`, marking them running.
    func claimJobs(kind: Job.Kind, owner: String, now: Timestamp, limit: Int) throws -> [Job]
    func finishJob(id: String) throws
    /// Puts a job back to pending, due at `notBefore`, with its attempt count.
    func retryJob(id: String, attempts: Int, notBefore: Timestamp) throws
    func deleteJobs(subject: String) throws
    /// Puts `owner`'s running jobs back to pending (the owner died); returns how many.
    func releaseJobs(owner: String) throws -> Int
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

    /// True when the drop was refused whole and its file kept in `inbox/.rejected/`.
    public var isRejected: Bool { destination.hasPrefix(Drop.rejectedFolder + "/") }
}

/// An outbox file to (re)write from the catalogue's state.
public enum OutboxKey: Sendable, Hashable {
    case file(String)
    case filesPage(Int64)
    case filesIndex
    case receipt(String)

    public var rawValue: String {
        switch self {
        case let .file(id): return "file:\(id)"
        case let .filesPage(n): return "files-page:\(n)"
        case .filesIndex: return "files-index"
        case let .receipt(id): return "receipt:\(id)"
        }
    }

    public init?(rawValue: String) {
        if rawValue == "files-index" { self = .filesIndex; return }
        guard let colon = rawValue.firstIndex(of: ":") else { return nil }
        let arg = String(rawValue[rawValue.index(after: colon)...])
        switch rawValue[..<colon] {
        case "file": self = .file(arg)
        case "files-page": guard let n = Int64(arg) else { return nil }; self = .filesPage(n)
        case "receipt": self = .receipt(arg)
        default: return nil
        }
    }
}

/// A dirty outbox key and the version it was marked at.
public struct DirtyMark: Sendable, Equatable {
    public var key: OutboxKey
    public var version: Int64
    public init(key: OutboxKey, version: Int64) { self.key = key; self.version = version }
}

/// A unit of slow work (a download) in the durable queue.
public struct Job: Sendable, Equatable {
    public enum Kind: String, Sendable { case download }
    public var id: String
    public var kind: Kind
    /// The object the job works on (a file id).
    public var subject: String
    /// What the job needs (the URL).
    public var payload: String
    public var attempts: Int
    public var notBefore: Timestamp

    public init(id: String, kind: Kind, subject: String, payload: String, attempts: Int = 0, notBefore: Timestamp) {
        self.id = id; self.kind = kind; self.subject = subject; self.payload = payload; self.attempts = attempts; self.notBefore = notBefore
    }
}

/// Files per listing page under `outbox/files/`.
public let filesPerPage: Int64 = 100

extension FileRecord {
    /// The listing page this file is on: `seq / filesPerPage`.
    public var page: Int64 { seq / filesPerPage }
}
