import SluiceCore
import GRDB
import Foundation

/// The catalogue operations on one open GRDB connection, inside `read` or a write transaction.
struct SQLiteTransaction: CatalogueWriting {
    let db: Database

    private static let fileColumns = "seq, id, url, name, extension, comment, mime, kind, size, added_at, download_time, status, error"

    private func decodeFile(_ row: Row) -> FileRecord {
        FileRecord(id: row[1], seq: row[0], url: row[2], name: row[3], fileExtension: row[4], comment: row[5],
                   mime: row[6], kind: (row[7] as String?).flatMap(ContentKind.init(rawValue:)), size: row[8],
                   addedAt: Timestamp(microseconds: row[9]), downloadTime: row[10],
                   status: FileRecord.Status(rawValue: row[11]) ?? .error, error: row[12])
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

    func fileCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM files")) ?? 0 }

    func lastFileSeq() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'files'), 0)")) ?? 0
    }

    func request(id: String) throws -> RequestRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, receipt_name, receipt, destination FROM requests WHERE id = ?"),
                         arguments: [id]).map {
            RequestRecord(id: $0[0], name: $0[1], receiptName: $0[2], receipt: Array(($0[3] as Data?) ?? Data()), destination: $0[4])
        }
    }

    func dirtyMarks(limit: Int) throws -> [DirtyMark] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT key, version FROM outbox_dirty ORDER BY version LIMIT ?"), arguments: [limit])
            .compactMap { row in OutboxKey(rawValue: row[0]).map { DirtyMark(key: $0, version: row[1]) } }
    }

    func pendingUnlinks(limit: Int) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT path FROM unlinks LIMIT ?"), arguments: [limit])
    }

    func unfinishedJobCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM jobs")) ?? 0 }

    func insertFile(_ file: inout FileRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO files(id, url, name, extension, comment, mime, kind, size, added_at, download_time, status, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [file.id, file.url, file.name, file.fileExtension, file.comment, file.mime, file.kind?.rawValue,
                                     file.size, file.addedAt.microseconds, file.downloadTime, file.status.rawValue, file.error])
        file.seq = db.lastInsertedRowID
    }

    func updateFile(_ file: FileRecord) throws {
        try db.cachedStatement(sql: """
            UPDATE files SET url = ?, name = ?, extension = ?, comment = ?, mime = ?, kind = ?, size = ?, download_time = ?,
            status = ?, error = ? WHERE id = ?
            """).execute(arguments: [file.url, file.name, file.fileExtension, file.comment, file.mime, file.kind?.rawValue, file.size,
                                     file.downloadTime, file.status.rawValue, file.error, file.id])
    }

    func deleteFile(id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [id])
    }

    func insertRequest(_ request: RequestRecord) throws {
        do {
            try db.cachedStatement(sql: "INSERT INTO requests(id, name, receipt_name, receipt, destination) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [request.id, request.name, request.receiptName, Data(request.receipt), request.destination])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw CatalogueError.duplicateRequest(request.id)
        }
    }

    func markDirty(_ key: OutboxKey) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox_dirty(key, version) VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM outbox_dirty))
            ON CONFLICT(key) DO UPDATE SET version = excluded.version
            """).execute(arguments: [key.rawValue])
    }

    func clearDirty(_ marks: [DirtyMark]) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM outbox_dirty WHERE key = ? AND version = ?")
        for mark in marks { try statement.execute(arguments: [mark.key.rawValue, mark.version]) }
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
            SELECT id, subject, payload, attempts, not_before FROM jobs
            WHERE kind = ? AND owner IS NULL AND not_before <= ? ORDER BY not_before, rowid LIMIT ?
            """), arguments: [kind.rawValue, now.microseconds, limit]).map {
            Job(id: $0[0], kind: kind, subject: $0[1], payload: $0[2], attempts: $0[3], notBefore: Timestamp(microseconds: $0[4]))
        }
        let claim = try db.cachedStatement(sql: "UPDATE jobs SET owner = ? WHERE id = ?")
        for job in jobs { try claim.execute(arguments: [owner, job.id]) }
        return jobs
    }

    func finishJob(id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM jobs WHERE id = ?").execute(arguments: [id])
    }

    func retryJob(id: String, attempts: Int, notBefore: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE jobs SET owner = NULL, attempts = ?, not_before = ? WHERE id = ?")
            .execute(arguments: [attempts, notBefore.microseconds, id])
    }

    func deleteJobs(subject: String) throws {
        try db.cachedStatement(sql: "DELETE FROM jobs WHERE subject = ?").execute(arguments: [subject])
    }

    func releaseJobs(owner: String) throws -> Int {
        try db.cachedStatement(sql: "UPDATE jobs SET owner = NULL WHERE owner = ?").execute(arguments: [owner])
        return db.changesCount
    }

    func nextJobDue(kind: Job.Kind) throws -> Timestamp? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(not_before) FROM jobs WHERE kind = ? AND owner IS NULL"),
                           arguments: [kind.rawValue]).map(Timestamp.init(microseconds:))
    }
}
