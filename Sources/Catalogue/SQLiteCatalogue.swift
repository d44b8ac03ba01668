public import SluiceCore
public import GRDB
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The catalogue in one SQLite file (WAL): the system of record and the durable job queue.
///
/// Several processes (`watch`, cron `run`s, the reader) may open the same file; writes take the
/// write lock up front (`BEGIN IMMEDIATE`) and wait for each other up to `busyTimeout`.
public final class SQLiteCatalogue: CatalogueStore {
    private let pool: DatabasePool
    private let version: SQLiteVersionQuery

    /// Memory statistics off before the process's first connection (see CSQLite.h): without it, a writer and a
    /// reader in two threads queue on SQLite's one allocation mutex.
    private static let configured: Int32 = sluice_sqlite_disable_memory_statistics()

    /// Opens (creating and migrating unless `readOnly`) the catalogue at `path`.
    public init(path: String, readOnly: Bool = false, busyTimeout: Double = 60) throws {
        _ = Self.configured
        version = SQLiteVersionQuery(path: path, busyTimeout: busyTimeout)
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(busyTimeout)
        config.maximumReaderCount = 4
        config.prepareDatabase { db in
            guard !db.configuration.readonly else { return }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A checkpoint is the one moment WAL mode syncs to disk, and on ext4 that sync also flushes the
            // journal of every file just written to the outbox: during bursts, let the log grow to 64 MiB
            // (16,384 pages) and fold it in when the pipeline is idle (`performIdleMaintenance`).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        // Switching a new file to WAL and migrating it do not wait on the busy handler: processes that open
        // the same catalogue at the same moment (two watchers, a cron run) take turns here instead.
        // A read-only opener that may not create the lock file goes without it (it neither converts nor migrates).
        let lock = readOnly ? open(path + ".lock", O_RDONLY | O_CLOEXEC) : open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 || readOnly else {
            throw CatalogueError.storage(code: errno, message: "cannot open \(path).lock: \(String(cString: strerror(errno)))")
        }
        defer { if lock >= 0 { close(lock) } }
        while lock >= 0 && flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if !readOnly {
                try Schema.migrator.migrate(pool)
            } else if try !pool.read({ try Schema.migrator.hasCompletedMigrations($0) }) {
                // A reader never migrates: it says what will.
                throw CatalogueError.storage(code: 1, message: "the catalogue \(path) is from an older Sluice: "
                                             + "start `sluice watch` or `sluice run` on this root once to upgrade it")
            }
        } catch let error as DatabaseError {
            throw CatalogueError(error)
        }
    }

    public func read<T>(_ body: (any CatalogueReading) throws -> T) throws -> T {
        do { return try pool.read { db in try body(SQLiteTransaction(db: db)) } }
        catch let error as DatabaseError { throw CatalogueError(error) }
    }

    /// Read on a bare connection of its own, not through the pool (see `SQLiteVersionQuery`).
    public func currentVersion() throws -> Int64 { try version.currentVersion() }

    /// A passive checkpoint: folds the write-ahead log into the database without waiting for readers.
    public func performIdleMaintenance() throws {
        do { try pool.writeWithoutTransaction { _ = try $0.checkpoint(.passive) } }
        catch let error as DatabaseError { throw CatalogueError(error) }
    }

    public func write<T>(_ body: (any CatalogueWriting) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteTransaction(db: db))
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw CatalogueError(error)
        }
    }
}

extension CatalogueError {
    init(_ error: DatabaseError) {
        self = .storage(code: error.extendedResultCode.rawValue, message: error.message ?? "\(error)")
    }
}
