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

    private static let fileColumns = "seq, id, url, name, extension, comment, mime, kind, size, added_at, download_time, status, error, name_set_by_user, width, height, image_truncated, updated_at"

    private func decodeFile(_ row: Row) -> FileRecord {
        FileRecord(id: row[1], seq: row[0], url: row[2], name: row[3], fileExtension: row[4], comment: row[5],
                   mime: row[6], kind: (row[7] as String?).flatMap(ContentKind.init(rawValue:)), size: row[8],
                   addedAt: Timestamp(microseconds: row[9]), downloadTime: row[10],
                   status: FileRecord.Status(rawValue: row[11]) ?? .error, error: row[12], nameSetByUser: row[13],
                   imageSize: (row[14] as Int?).flatMap { w in (row[15] as Int?).map { ImageHeader(width: w, height: $0) } },
                   imageTruncated: row[16], updatedAt: Timestamp(microseconds: row[17]))
    }

    func file(id: String) throws -> FileRecord? {
        try fetch("SELECT \(Self.fileColumns) FROM files WHERE id = ?", [id], capacity: 1, decodeFile).first
    }

    func files(afterSeq: Int64, limit: Int) throws -> [FileRecord] {
        try fetch("SELECT \(Self.fileColumns) FROM files WHERE seq > ? ORDER BY seq LIMIT ?", [afterSeq, limit], capacity: limit, decodeFile)
    }

    /// Rows of `sql` decoded straight from the statement (a cursor: no copy of each row into values first, which a
    /// reader's page of files paid for in generic decoding).
    private func fetch<T>(_ sql: String, _ arguments: StatementArguments, capacity: Int = 0, _ decode: (Row) -> T) throws -> [T] {
        var records: [T] = []
        records.reserveCapacity(capacity)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() { records.append(decode(row)) }
        return records
    }

    /// The highest seq `table` ever assigned (0 when none).
    private func lastSeq(of table: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)"), arguments: [table]) ?? 0
    }

    func files(seqFrom lower: Int64, to upper: Int64) throws -> [FileRecord] {
        try fetch("SELECT \(Self.fileColumns) FROM files WHERE seq >= ? AND seq < ? ORDER BY seq", [lower, upper], decodeFile)
    }

    func fileCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT files FROM clock")) ?? 0 }

    func lastFileSeq() throws -> Int64 {
        try lastSeq(of: "files")
    }

    func request(id: String) throws -> RequestRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, receipt_name, receipt, destination FROM requests WHERE id = ?"),
                         arguments: [id]).map(decodeRequest)
    }

    func currentVersion() throws -> Int64 { try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM clock")) ?? 0 }
    func publishedVersion() throws -> Int64 { try Int64.fetchOne(db.cachedStatement(sql: "SELECT published FROM clock")) ?? 0 }

    func filesChanged(after: Int64, upTo: Int64) throws -> [FileRecord] {
        try fetch("SELECT \(Self.fileColumns) FROM files WHERE version > ? AND version <= ? ORDER BY seq", [after, upTo], decodeFile)
    }

    func filesDeleted(after: Int64, upTo: Int64) throws -> [DeletedObject] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, seq FROM tombstones WHERE version > ? AND version <= ?"),
                         arguments: [after, upTo]).map { DeletedObject(id: $0[0], seq: $0[1]) }
    }

    func requestsCommitted(after: Int64, upTo: Int64) throws -> [RequestRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, name, receipt_name, receipt, destination FROM requests WHERE version > ? AND version <= ? ORDER BY version, rowid
            """), arguments: [after, upTo]).map(decodeRequest)
    }

    func recentRequests(limit: Int, upTo: Int64) throws -> [RequestRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, name, receipt_name, CASE WHEN length(receipt) <= ? THEN receipt END, destination
            FROM requests WHERE version <= ? ORDER BY version DESC, rowid DESC LIMIT ?
            """), arguments: [RequestRecord.summarisedReceiptBytes, upTo, limit]).map(decodeRequest)
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
                              name_set_by_user, width, height, image_truncated, updated_at, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [file.id, file.url, file.name, file.fileExtension, file.comment, file.mime, file.kind?.rawValue,
                                     file.size, file.addedAt.microseconds, file.downloadTime, file.status.rawValue, file.error,
                                     file.nameSetByUser, file.imageSize?.width, file.imageSize?.height, file.imageTruncated,
                                     file.updatedAt.microseconds, try tick()])
        file.seq = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE clock SET files = files + 1").execute()
    }

    func editFile(id: String, name: String?, comment: String?) throws -> FileRecord? {
        guard try exists(file: id) else { return nil } // a write that changes nothing takes no version
        try db.cachedStatement(sql: """
            UPDATE files SET name = coalesce(?1, name), name_set_by_user = name_set_by_user OR ?1 IS NOT NULL,
                             comment = coalesce(?2, comment), version = ?3, updated_at = ?5 WHERE id = ?4
            """).execute(arguments: [name, comment, try tick(), id, Timestamp.now().microseconds])
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
                width = CASE WHEN ?3 THEN ?12 ELSE width END, height = CASE WHEN ?3 THEN ?13 ELSE height END,
                image_truncated = CASE WHEN ?3 THEN ?14 ELSE image_truncated END,
                name = CASE WHEN ?9 IS NOT NULL AND NOT name_set_by_user THEN ?9 ELSE name END,
                version = ?10, updated_at = ?15
            WHERE id = ?11
            """).execute(arguments: [update.status.rawValue, update.error, stored != nil, stored?.kind.rawValue, stored?.mime,
                                     stored?.fileExtension, stored?.size, stored?.downloadTime, update.sourceName, try tick(), id,
                                     stored?.imageSize?.width, stored?.imageSize?.height, stored?.imageTruncated ?? false,
                                     Timestamp.now().microseconds])
        return db.changesCount > 0
    }

    func setFileStatus(id: String, to status: FileRecord.Status, from: Set<FileRecord.Status>) throws -> Bool {
        guard let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM files WHERE id = ?"), arguments: [id]),
              let known = FileRecord.Status(rawValue: current), from.contains(known) else { return false }
        try db.cachedStatement(sql: "UPDATE files SET status = ?, error = NULL, version = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [status.rawValue, try tick(), Timestamp.now().microseconds, id])
        return true
    }

    private func exists(file id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM files WHERE id = ?"), arguments: [id]) ?? false
    }

    func deleteFile(id: String) throws {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM files WHERE id = ?"), arguments: [id]) else { return }
        try detachPhoto(fileID: id)
        try db.cachedStatement(sql: "DELETE FROM files WHERE id = ?").execute(arguments: [id])
        try db.cachedStatement(sql: "UPDATE clock SET files = files - 1").execute()
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO tombstones(id, seq, version) VALUES (?, ?, ?)").execute(arguments: [id, seq, try tick()])
        // A task whose result this was keeps its record, without a result (the outbox drops its copy).
        try db.cachedStatement(sql: "UPDATE tasks SET result_id = NULL, version = ?, updated_at = ? WHERE result_id = ?")
            .execute(arguments: [try tick(), Timestamp.now().microseconds, id])
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
        try db.cachedStatement(sql: "DELETE FROM pet_tombstones WHERE version <= ?").execute(arguments: [version])
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

    func markBegun(jobIDs: [String], owner: String) throws {
        let statement = try db.cachedStatement(sql: "UPDATE jobs SET began = 1 WHERE id = ? AND owner = ?")
        for id in jobIDs { try statement.execute(arguments: [id, owner]) }
    }

    func finishJob(id: String, owner: String?) throws -> JobHold {
        try db.cachedStatement(sql: "DELETE FROM jobs WHERE id = ? AND owner IS ?").execute(arguments: [id, owner])
        return db.changesCount > 0 ? .held : try jobExists(id) ? .notHeld : .gone
    }

    func retryJob(id: String, owner: String, attempts: Int, notBefore: Timestamp) throws -> JobHold {
        try db.cachedStatement(sql: "UPDATE jobs SET owner = NULL, began = 0, attempts = ?, not_before = ? WHERE id = ? AND owner = ?")
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

    func releaseJobs(owner: String, kind: Job.Kind?, countingAnAttempt: Bool) throws -> [Job] {
        try Row.fetchAll(db.cachedStatement(sql: """
            UPDATE jobs SET owner = NULL,
                began = 0,
                attempts = attempts + (?1 AND (began OR (placed_path IS NOT NULL AND kind = 'download')
                                               OR EXISTS (SELECT 1 FROM files WHERE files.id = jobs.subject AND files.status = 'downloading')
                                               OR EXISTS (SELECT 1 FROM tasks WHERE tasks.id = jobs.subject AND tasks.status = 'processing')))
            WHERE owner = ?2 AND (?3 IS NULL OR kind = ?3)
            RETURNING id, kind, subject, payload, attempts, not_before, placed_path
            """), arguments: [countingAnAttempt, owner, kind?.rawValue]).compactMap { row in
            Job.Kind(rawValue: row[1]).map {
                Job(id: row[0], kind: $0, subject: row[2], payload: row[3], attempts: row[4],
                    notBefore: Timestamp(microseconds: row[5]), placedPath: row[6])
            }
        }
    }

    func statistics() throws -> CatalogueStatistics {
        var statistics = CatalogueStatistics()
        statistics.requests = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM requests")) ?? 0
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT status, count(*), sum(CASE WHEN url IS NOT NULL AND status = 'ready' THEN size ELSE 0 END) FROM files GROUP BY status")) {
            statistics.filesByStatus[row[0]] = row[1]
            statistics.downloadedBytes += row[2] as Int
        }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT status, count(*) FROM tasks GROUP BY status")) {
            statistics.tasksByStatus[row[0]] = row[1]
        }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, owner IS NOT NULL, count(*) FROM jobs GROUP BY 1, 2")) {
            let kind: String = row[0], running: Bool = row[1], count: Int = row[2]
            if running { statistics.runningJobs[kind] = count } else { statistics.queuedJobs[kind] = count }
        }
        statistics.pets = try petCount(hasPhotos: nil)
        return statistics
    }

    func nextJobDue(kind: Job.Kind) throws -> Timestamp? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(not_before) FROM jobs WHERE kind = ? AND owner IS NULL"),
                           arguments: [kind.rawValue]).map(Timestamp.init(microseconds:))
    }
}

// MARK: Pets and their photos

extension SQLiteTransaction {
    private static let petColumns = "seq, id, name, age, type, created_at"

    /// Decodes pet rows and fills in their listed photos with one query.
    private func decodePets(_ rows: [Row]) throws -> [PetRecord] {
        var pets = rows.map { row in
            PetRecord(id: row[1], seq: row[0], name: row[2], age: row[3], type: PetRecord.Species(rawValue: row[4]) ?? .dog,
                      createdAt: Timestamp(microseconds: row[5]))
        }
        guard !pets.isEmpty else { return pets }
        var position: [String: Int] = [:]
        for (i, pet) in pets.enumerated() { position[pet.id] = i }
        // Chunks within SQLite's limit on bound parameters.
        for start in stride(from: 0, to: pets.count, by: 500) {
            let ids = pets[start..<min(start + 500, pets.count)].map(\.id)
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT pet_id, file_id FROM photos WHERE ready AND pet_id IN (\(marks)) ORDER BY rowid",
                                        arguments: StatementArguments(ids)) {
                if let i = position[row[0]] { pets[i].photos.append(row[1]) }
            }
        }
        return pets
    }

    func pet(id: String) throws -> PetRecord? {
        try decodePets(Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.petColumns) FROM pets WHERE id = ?"), arguments: [id])).first
    }

    /// Seqs per row of `pet_buckets`.
    private static let bucketSize: Int64 = 1000

    func pets(hasPhotos: Bool?, offset: Int, limit: Int) throws -> [PetRecord] {
        // The bucket holding the offset-th pet, by the kept counts; then at most a bucket's worth of rows skipped.
        let counted = hasPhotos == nil ? "pets" : hasPhotos! ? "with_photos" : "pets - with_photos"
        var skipped = 0
        var from: Int64 = .max
        let buckets = try Row.fetchCursor(db.cachedStatement(sql: "SELECT bucket, \(counted) FROM pet_buckets ORDER BY bucket"))
        while let row = try buckets.next() {
            let bucket: Int64 = row[0], count: Int = row[1]
            if skipped + count > offset { from = bucket * Self.bucketSize; break }
            skipped += count
        }
        guard from != .max else { return [] }
        let filter = hasPhotos.map { "AND (photo_count > 0) = \($0 ? 1 : 0)" } ?? ""
        return try decodePets(Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Self.petColumns) FROM pets WHERE seq >= ? \(filter) ORDER BY seq LIMIT ? OFFSET ?
            """), arguments: [from, limit, offset - skipped]))
    }

    /// Moves the counts of the bucket holding `seq`.
    private func countInBucket(_ seq: Int64, pets: Int, withPhotos: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO pet_buckets(bucket, pets, with_photos) VALUES (?1, ?2, ?3)
            ON CONFLICT(bucket) DO UPDATE SET pets = pets + ?2, with_photos = with_photos + ?3
            """).execute(arguments: [seq / Self.bucketSize, pets, withPhotos])
    }

    func pets(afterSeq: Int64, limit: Int, hasPhotos: Bool?) throws -> [PetRecord] {
        let filter = hasPhotos.map { "AND (photo_count > 0) = \($0 ? 1 : 0)" } ?? ""
        return try decodePets(Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Self.petColumns) FROM pets WHERE seq > ? \(filter) ORDER BY seq LIMIT ?
            """), arguments: [afterSeq, limit]))
    }

    func pets(seqFrom lower: Int64, to upper: Int64) throws -> [PetRecord] {
        try decodePets(Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.petColumns) FROM pets WHERE seq >= ? AND seq < ? ORDER BY seq"),
                                    arguments: [lower, upper]))
    }

    func petCount(hasPhotos: Bool?) throws -> Int {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT pets, pets_with_photos FROM clock"))!
        let all: Int = row[0], withPhotos: Int = row[1]
        switch hasPhotos {
        case nil: return all
        case true?: return withPhotos
        case false?: return all - withPhotos
        }
    }

    func lastPetSeq() throws -> Int64 {
        try lastSeq(of: "pets")
    }

    func petsChanged(after: Int64, upTo: Int64) throws -> [PetRecord] {
        try decodePets(Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Self.petColumns) FROM pets WHERE version > ? AND version <= ? ORDER BY seq
            """), arguments: [after, upTo]))
    }

    func petsDeleted(after: Int64, upTo: Int64) throws -> [DeletedObject] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, seq FROM pet_tombstones WHERE version > ? AND version <= ?"),
                         arguments: [after, upTo]).map { DeletedObject(id: $0[0], seq: $0[1]) }
    }

    func photoOwner(fileID: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT pet_id FROM photos WHERE file_id = ?"), arguments: [fileID])
    }

    func insertPet(_ pet: inout PetRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO pets(id, name, age, type, created_at, version) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [pet.id, pet.name, pet.age, pet.type.rawValue, pet.createdAt.microseconds, try tick()])
        pet.seq = db.lastInsertedRowID
        pet.photos = []
        try db.cachedStatement(sql: "UPDATE clock SET pets = pets + 1").execute()
        try countInBucket(pet.seq, pets: 1, withPhotos: 0)
    }

    func attachPhoto(fileID: String, petID: String, ready: Bool) throws {
        try db.cachedStatement(sql: "INSERT INTO photos(file_id, pet_id, ready) VALUES (?, ?, 0)").execute(arguments: [fileID, petID])
        if ready { _ = try markPhotoReady(fileID: fileID) }
    }

    func markPhotoReady(fileID: String) throws -> Bool {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT pet_id, ready FROM photos WHERE file_id = ?"),
                                         arguments: [fileID]) else { return false }
        let petID: String = row[0], ready: Bool = row[1]
        guard !ready else { return true }
        try db.cachedStatement(sql: "UPDATE photos SET ready = 1 WHERE file_id = ?").execute(arguments: [fileID])
        try countPhoto(petID, by: 1)
        return true
    }

    /// Takes the File `fileID` off its pet's photos (the File is being deleted).
    private func detachPhoto(fileID: String) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "DELETE FROM photos WHERE file_id = ? RETURNING pet_id, ready"),
                                         arguments: [fileID]) else { return }
        let petID: String = row[0], ready: Bool = row[1]
        if ready { try countPhoto(petID, by: -1) }
    }

    /// Moves a pet's listed-photo count by `delta` (and the clock's count of pets with photos when it crosses 0),
    /// at this transaction's version. A pet deleted meanwhile is left alone.
    private func countPhoto(_ petID: String, by delta: Int) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            UPDATE pets SET photo_count = photo_count + ?, version = ? WHERE id = ? RETURNING photo_count - ?, seq
            """), arguments: [delta, try tick(), petID, delta]) else { return }
        let before: Int = row[0], seq: Int64 = row[1]
        let after = before + delta
        let crossing = before == 0 && after > 0 ? 1 : before > 0 && after == 0 ? -1 : 0
        guard crossing != 0 else { return }
        try db.cachedStatement(sql: "UPDATE clock SET pets_with_photos = pets_with_photos + ?").execute(arguments: [crossing])
        try countInBucket(seq, pets: 0, withPhotos: crossing)
    }

    func deletePet(id: String) throws -> [String]? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "DELETE FROM pets WHERE id = ? RETURNING seq, photo_count"),
                                         arguments: [id]) else { return nil }
        let seq: Int64 = row[0], photoCount: Int = row[1]
        let photos = try String.fetchAll(db.cachedStatement(sql: "DELETE FROM photos WHERE pet_id = ? RETURNING file_id"), arguments: [id])
        try db.cachedStatement(sql: "UPDATE clock SET pets = pets - 1, pets_with_photos = pets_with_photos - ?")
            .execute(arguments: [photoCount > 0 ? 1 : 0])
        try countInBucket(seq, pets: -1, withPhotos: photoCount > 0 ? -1 : 0)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO pet_tombstones(id, seq, version) VALUES (?, ?, ?)").execute(arguments: [id, seq, try tick()])
        return photos
    }
}

// MARK: Image tasks

extension SQLiteTransaction {
    private static let taskColumns = "seq, id, source_id, result_id, result_extension, status, algorithm, params, error, created_at, updated_at"

    private func decodeTask(_ row: Row) -> TaskRecord {
        TaskRecord(id: row[1], seq: row[0], sourceID: row[2], resultID: row[3], resultExtension: row[4],
                   status: TaskRecord.Status(rawValue: row[5]) ?? .error, algorithm: row[6], params: Array((row[7] as String).utf8),
                   error: row[8], createdAt: Timestamp(microseconds: row[9]), updatedAt: Timestamp(microseconds: row[10]))
    }

    func task(id: String) throws -> TaskRecord? {
        try fetch("SELECT \(Self.taskColumns) FROM tasks WHERE id = ?", [id], capacity: 1, decodeTask).first
    }

    func tasks(afterSeq: Int64, limit: Int) throws -> [TaskRecord] {
        try fetch("SELECT \(Self.taskColumns) FROM tasks WHERE seq > ? ORDER BY seq LIMIT ?", [afterSeq, limit], decodeTask)
    }

    func tasks(seqFrom lower: Int64, to upper: Int64) throws -> [TaskRecord] {
        try fetch("SELECT \(Self.taskColumns) FROM tasks WHERE seq >= ? AND seq < ? ORDER BY seq", [lower, upper], decodeTask)
    }

    func taskCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT tasks FROM clock")) ?? 0 }

    func lastTaskSeq() throws -> Int64 {
        try lastSeq(of: "tasks")
    }

    func tasksChanged(after: Int64, upTo: Int64) throws -> [TaskRecord] {
        try fetch("SELECT \(Self.taskColumns) FROM tasks WHERE version > ? AND version <= ? ORDER BY seq", [after, upTo], decodeTask)
    }

    func insertTask(_ task: inout TaskRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO tasks(id, source_id, result_id, result_extension, status, algorithm, params, error, created_at, updated_at, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [task.id, task.sourceID, task.resultID, task.resultExtension, task.status.rawValue, task.algorithm,
                                     String(decoding: task.params, as: UTF8.self), task.error, task.createdAt.microseconds,
                                     task.updatedAt.microseconds, try tick()])
        task.seq = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE clock SET tasks = tasks + 1").execute()
    }

    func updateTask(id: String, stage update: TaskStageUpdate, from: Set<TaskRecord.Status>) throws -> Bool {
        guard let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM tasks WHERE id = ?"), arguments: [id]),
              let status = TaskRecord.Status(rawValue: current), from.contains(status) else { return false }
        try db.cachedStatement(sql: """
            UPDATE tasks SET status = ?, error = ?, result_id = ?, result_extension = ?, updated_at = ?, version = ? WHERE id = ?
            """).execute(arguments: [update.status.rawValue, update.error, update.result?.id, update.result?.fileExtension,
                                     Timestamp.now().microseconds, try tick(), id])
        return true
    }
}

/// The version a transaction took, once it took one.
private final class Tick {
    var version: Int64?
}
