import SluiceCore
import GRDB
import Foundation

/// The catalogue operations on one open GRDB connection, inside `read` or a write transaction.
struct SQLiteTransaction: CatalogueWriting {
    let db: Database
    private let clock = Tick()

    init(db: Database) { self.db = db }

    /// This transaction's version, taken from the clock at its first change.
    private func tick() throws -> Int64 {
        if let version = clock.version { return version }
        let version = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE clock SET version = version + 1 RETURNING version"))!
        clock.version = version
        return version
    }

    private static let fileColumns = "seq, id, url, name, extension, comment, mime, kind, size, added_at, download_time, status, error, name_set_by_user"

    private func decodeFile(_ row: Row) -> FileRecord {
        FileRecord(id: row[1], seq: row[0], url: row[2], name: row[3], fileExtension: row[4], comment: row[5],
                   mime: row[6], kind: (row[7] as String?).flatMap(ContentKind.init(rawValue:)), size: row[8],
                   addedAt: Timestamp(microseconds: row[9]), downloadTime: row[10],
                   status: FileRecord.Status(rawValue: row[11]) ?? .error, error: row[12], nameSetByUser: row[13])
    }

    func file(id: String) throws -> FileRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.fileColumns) FROM files WHERE id = ?"), arguments: [id]).map(decodeFile)
    }

    func files(afterSeq: Int64, limit: Int) throws -> [FileRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.fileColumns) FROM files WHERE seq > ? ORDER BY seq LIMIT ?"),
                         arguments: [afterSeq, limit]).map(decodeFile)
    }

    func files(seqFrom lower: Int64, to upper: Int64) throws -> [FileRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.fileColumns) FROM files WHERE seq >= ? AND seq < ? ORDER BY seq"),
                         arguments: [lower, upper]).map(decodeFile)
    }

    func fileCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT files FROM clock")) ?? 0 }

    func lastFileSeq() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'files'), 0)")) ?? 0
    }

    func request(id: String) throws -> RequestRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, receipt_name, receipt, destination FROM requests WHERE id = ?"),
                         arguments: [id]).map(decodeRequest)
    }

    func currentVersion() throws -> Int64 { try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM clock")) ?? 0 }
    func publishedVersion() throws -> Int64 { try Int64.fetchOne(db.cachedStatement(sql: "SELECT published FROM clock")) ?? 0 }

    func filesChanged(after: Int64, upTo: Int64) throws -> [FileRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.fileColumns) FROM files WHERE version > ? AND version <= ? ORDER BY seq"),
                         arguments: [after, upTo]).map(decodeFile)
    }

    func filesDeleted(after: Int64, upTo: Int64) throws -> [DeletedFile] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, seq FROM tombstones WHERE version > ? AND version <= ?"),
                         arguments: [after, upTo]).map { DeletedFile(id: $0[0], seq: $0[1]) }
    }

    func requestsCommitted(after: Int64, upTo: Int64) throws -> [RequestRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, name, receipt_name, receipt, destination FROM requests WHERE version > ? AND version <= ? ORDER BY version
            """), arguments: [after, upTo]).map(decodeRequest)
    }

    private func decodeRequest(_ row: Row) -> RequestRecord {
        RequestRecord(id: row[0], name: row[1], receiptName: row[2], receipt: Array((row[3] as Data?) ?? Data()), destination: row[4])
    }

    func pendingUnlinks(limit: Int) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT path FROM unlinks LIMIT ?"), arguments: [limit])
    }

    func unfinishedJobCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM jobs")) ?? 0 }

    func queuedJobCount() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM jobs WHERE owner IS NULL")) ?? 0
    }

    func jobOwners() throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT owner FROM jobs WHERE owner IS NOT NULL"))
    }

    func insertFile(_ file: inout FileRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO files(id, url, name, extension, comment, mime, kind, size, added_at, download_time, status, error,
                              name_set_by_user, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [file.id, file.url, file.name, file.fileExtension, file.comment, file.mime, file.kind?.rawValue,
                                     file.size, file.addedAt.microseconds, file.downloadTime, file.status.rawValue, file.error,
                                     file.nameSetByUser, try tick()])
        file.seq = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE clock SET files = files + 1").execute()
    }

    func editFile(id: String, name: String?, comment: String?) throws -> FileRecord? {
        guard try exists(file: id) else { return nil } // a write that changes nothing takes no version
        try db.cachedStatement(sql: """
            UPDATE files SET name = coalesce(?1, name), name_set_by_user = name_set_by_user OR ?1 IS NOT NULL,
                             comment = coalesce(?2, comment), version = ?3 WHERE id = ?4
            """).execute(arguments: [name, comment, try tick(), id])
        return db.changesCount > 0 ? try file(id: id) : nil
    }

    func updateFile(id: String, stage update: FileStageUpdate) throws -> Bool {
        guard try exists(file: id) else { return false }
        let stored = update.stored
        // Each stage-owned column is set; the bytes' columns only when the update stores bytes; the name only while
        // no user has renamed the file.
        try db.cachedStatement(sql: """
            UPDATE files SET status = ?1, error = ?2,
                kind = CASE WHEN ?3 THEN ?4 ELSE kind END, mime = CASE WHEN ?3 THEN ?5 ELSE mime END,
                extension = CASE WHEN ?3 THEN ?6 ELSE extension END, size = CASE WHEN ?3 THEN ?7 ELSE size END,
                download_time = CASE WHEN ?3 THEN ?8 ELSE download_time END,
                name = CASE WHEN ?9 IS NOT NULL AND NOT name_set_by_user THEN ?9 ELSE name END,
                version = ?10
            WHERE id = ?11
            """).execute(arguments: [update.status.rawValue, update.error, stored != nil, stored?.kind.rawValue, stored?.mime,
                                     stored?.fileExtension, stored?.size, stored?.downloadTime, update.sourceName, try tick(), id])
        return db.changesCount > 0
    }

    func setFileStatus(id: String, to status: FileRecord.Status, from: Set<FileRecord.Status>) throws -> Bool {
        guard let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM files WHERE id = ?"), arguments: [id]),
              let known = FileRecord.Status(rawValue: current), from.contains(known) else { return false }
        try db.cachedStatement(sql: "UPDATE files SET status = ?, error = NULL, version = ? WHERE id = ?")
            .execute(arguments: [status.rawValue, try tick(), id])
        return true
    }

    private func exists(file id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM files WHERE id = ?"), arguments: [id]) ?? false
    }

    func deleteFile(id: String) throws {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM files WHERE id = ?"), arguments: [id]) else { return }
        try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [id])
        try db.cachedStatement(sql: "UPDATE clock SET files = files - 1").execute()
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO tombstones(id, seq, version) VALUES (?, ?, ?)").execute(arguments: [id, seq, try tick()])
    }

    func insertRequest(_ request: RequestRecord) throws {
        do {
            try db.cachedStatement(sql: "INSERT INTO requests(id, name, receipt_name, receipt, destination, version) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [request.id, request.name, request.receiptName, Data(request.receipt), request.destination, try tick()])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw CatalogueError.duplicateRequest(request.id)
        }
    }

    func markPublished(upTo version: Int64) throws {
        try db.cachedStatement(sql: "UPDATE clock SET published = max(published, ?)").execute(arguments: [version])
        try db.cachedStatement(sql: "DELETE FROM tombstones WHERE version <= ?").execute(arguments: [version])
    }

    func addUnlink(_ path: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO unlinks(path) VALUES (?)").execute(arguments: [path])
    }

    func removeUnlinks(_ paths: [String]) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM unlinks WHERE path = ?")
        for path in paths { try statement.execute(arguments: [path]) }
    }

    func enqueueJob(_ job: Job) throws {
        try db.cachedStatement(sql: "INSERT INTO jobs(id, kind, subject, payload, attempts, not_before) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [job.id, job.kind.rawValue, job.subject, job.payload, job.attempts, job.notBefore.microseconds])
    }

    func claimJobs(kind: Job.Kind, owner: String, now: Timestamp, limit: Int) throws -> [Job] {
        let jobs = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, subject, payload, attempts, not_before, placed_path FROM jobs
            WHERE kind = ? AND owner IS NULL AND not_before <= ? ORDER BY not_before, rowid LIMIT ?
            """), arguments: [kind.rawValue, now.microseconds, limit]).map {
            Job(id: $0[0], kind: kind, subject: $0[1], payload: $0[2], attempts: $0[3], notBefore: Timestamp(microseconds: $0[4]),
                placedPath: $0[5])
        }
        let claim = try db.cachedStatement(sql: "UPDATE jobs SET owner = ? WHERE id = ?")
        for job in jobs { try claim.execute(arguments: [owner, job.id]) }
        return jobs
    }

    func recordPlacement(job: Job, owner: String, path: String) throws -> JobHold {
        try db.cachedStatement(sql: "UPDATE jobs SET placed_path = ? WHERE id = ? AND owner = ?").execute(arguments: [path, job.id, owner])
        guard db.changesCount > 0 else { return try jobExists(job.id) ? .notHeld : .gone }
        if let previous = job.placedPath, previous != path { try addUnlink(previous) }
        try removeUnlinks([path])
        return .held
    }

    func finishJob(id: String, owner: String?) throws -> JobHold {
        try db.cachedStatement(sql: "DELETE FROM jobs WHERE id = ? AND owner IS ?").execute(arguments: [id, owner])
        return db.changesCount > 0 ? .held : try jobExists(id) ? .notHeld : .gone
    }

    func retryJob(id: String, owner: String, attempts: Int, notBefore: Timestamp) throws -> JobHold {
        try db.cachedStatement(sql: "UPDATE jobs SET owner = NULL, attempts = ?, not_before = ? WHERE id = ? AND owner = ?")
            .execute(arguments: [attempts, notBefore.microseconds, id, owner])
        return db.changesCount > 0 ? .held : try jobExists(id) ? .notHeld : .gone
    }

    private func jobExists(_ id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM jobs WHERE id = ?"), arguments: [id]) ?? false
    }

    func deleteJobs(subject: String) throws {
        let placed = try String?.fetchAll(db.cachedStatement(sql: "DELETE FROM jobs WHERE subject = ? RETURNING placed_path"),
                                          arguments: [subject])
        for path in placed.compactMap({ $0 }) { try addUnlink(path) }
    }

    func releaseJobs(owner: String, countingAnAttempt: Bool) throws -> [Job] {
        try Row.fetchAll(db.cachedStatement(sql: """
            UPDATE jobs SET owner = NULL, attempts = attempts + ? WHERE owner = ?
            RETURNING id, kind, subject, payload, attempts, not_before, placed_path
            """), arguments: [countingAnAttempt ? 1 : 0, owner]).compactMap { row in
            Job.Kind(rawValue: row[1]).map {
                Job(id: row[0], kind: $0, subject: row[2], payload: row[3], attempts: row[4],
                    notBefore: Timestamp(microseconds: row[5]), placedPath: row[6])
            }
        }
    }

    func nextJobDue(kind: Job.Kind) throws -> Timestamp? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(not_before) FROM jobs WHERE kind = ? AND owner IS NULL"),
                           arguments: [kind.rawValue]).map(Timestamp.init(microseconds:))
    }
}

/// The version a transaction took, once it took one.
private final class Tick {
    var version: Int64?
}
