import GRDB

/// The catalogue's tables, as migrations: add a new `registerMigration`, never edit a shipped one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // seq orders listings and pages; AUTOINCREMENT so a deleted file's seq is never reused.
            try db.execute(sql: """
                CREATE TABLE files(
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    url TEXT,
                    name TEXT NOT NULL,
                    extension TEXT NOT NULL,
                    comment TEXT NOT NULL,
                    mime TEXT,
                    kind TEXT,
                    size INTEGER NOT NULL,
                    added_at INTEGER NOT NULL,
                    download_time REAL,
                    status TEXT NOT NULL,
                    error TEXT);
                CREATE TABLE requests(
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    receipt_name TEXT NOT NULL,
                    receipt BLOB NOT NULL,
                    destination TEXT NOT NULL,
                    committed_at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)));
                CREATE TABLE jobs(
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    not_before INTEGER NOT NULL,
                    owner TEXT);
                CREATE INDEX jobs_due ON jobs(kind, owner, not_before);
                CREATE INDEX jobs_subject ON jobs(subject);
                CREATE INDEX jobs_owner ON jobs(owner) WHERE owner IS NOT NULL;
                CREATE TABLE outbox_dirty(key TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);
                CREATE INDEX outbox_dirty_version ON outbox_dirty(version);
                CREATE TABLE unlinks(path TEXT PRIMARY KEY NOT NULL);
                """)
        }
        return migrator
    }
}
