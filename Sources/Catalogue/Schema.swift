import GRDB

/// The catalogue's tables, as migrations: add a new `registerMigration`, never edit a shipped one. A migration that
/// changes what a published object or a listing shows must also advance the change clock
/// (`UPDATE clock SET version = version + 1`): the outbox's publication and the reader's kept listings
/// (`CatalogueAnswerCache`) see changes only through it.
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
                    error TEXT,
                    version INTEGER NOT NULL);
                CREATE INDEX files_version ON files(version);
                CREATE TABLE requests(
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    receipt_name TEXT NOT NULL,
                    receipt BLOB NOT NULL,
                    destination TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    committed_at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)));
                CREATE INDEX requests_version ON requests(version);
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
                -- Deleted files, kept until the outbox has removed them.
                CREATE TABLE tombstones(id TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL);
                -- The change clock: every write transaction that changes anything takes the next version;
                -- the outbox shows every change up to `published`.
                CREATE TABLE clock(one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL, published INTEGER NOT NULL);
                INSERT INTO clock VALUES (1, 0, 0);
                CREATE TABLE unlinks(path TEXT PRIMARY KEY NOT NULL);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                -- Set by a user's rename: no stage's result sets the name after it.
                ALTER TABLE files ADD COLUMN name_set_by_user INTEGER NOT NULL DEFAULT 0;
                -- Where a job's attempt linked its result bytes before committing them: cleaned up if it never does.
                ALTER TABLE jobs ADD COLUMN placed_path TEXT;
                -- How many files there are, kept by every insert and delete: no count(*) per publication.
                ALTER TABLE clock ADD COLUMN files INTEGER NOT NULL DEFAULT 0;
                UPDATE clock SET files = (SELECT count(*) FROM files);
                """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                -- Pets (seed 004). photo_count counts its listed photos (Files whose bytes are stored), kept by every
                -- change, so listing by has_photos is an index range and counting is a look at the clock row.
                CREATE TABLE pets(
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    age INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    photo_count INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL);
                CREATE INDEX pets_version ON pets(version);
                CREATE INDEX pets_by_photos ON pets(photo_count > 0, seq);
                -- A photo is a File attached to one pet; listed once the File is ready.
                CREATE TABLE photos(
                    rowid INTEGER PRIMARY KEY,
                    file_id TEXT NOT NULL UNIQUE,
                    pet_id TEXT NOT NULL,
                    ready INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX photos_pet ON photos(pet_id, rowid);
                CREATE TABLE pet_tombstones(id TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL);
                ALTER TABLE clock ADD COLUMN pets INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE clock ADD COLUMN pets_with_photos INTEGER NOT NULL DEFAULT 0;
                -- An image's width and height, read from its header when its bytes were stored.
                ALTER TABLE files ADD COLUMN width INTEGER;
                ALTER TABLE files ADD COLUMN height INTEGER;
                """)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                -- How many pets (and with photos) each run of 1,000 seqs holds, kept by every change: a listing's
                -- offset is found by summing buckets, then skipping at most 1,000 rows, whatever the number of pets.
                CREATE TABLE pet_buckets(bucket INTEGER PRIMARY KEY, pets INTEGER NOT NULL, with_photos INTEGER NOT NULL);
                INSERT INTO pet_buckets SELECT seq / 1000, count(*), sum(photo_count > 0) FROM pets GROUP BY seq / 1000;
                """)
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                -- Set when an image's bytes stop before the image's end (a truncated upload or download): no photo.
                -- Files stored before this version count as whole (their bytes were not looked at).
                ALTER TABLE files ADD COLUMN image_truncated INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v6") { db in
            try db.execute(sql: """
                -- When the File last changed (a rename, a comment, its status, its bytes); added_at stays its creation.
                ALTER TABLE files ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
                UPDATE files SET updated_at = added_at;
                """)
        }
        migrator.registerMigration("v7") { db in
            try db.execute(sql: """
                -- Image tasks (seeds 001, 003). params is the JSON given; result_extension names outbox/results/<id><ext>.
                CREATE TABLE tasks(
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    source_id TEXT NOT NULL,
                    result_id TEXT,
                    result_extension TEXT,
                    status TEXT NOT NULL,
                    algorithm TEXT NOT NULL,
                    params TEXT NOT NULL,
                    error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    version INTEGER NOT NULL);
                CREATE INDEX tasks_version ON tasks(version);
                CREATE INDEX tasks_result ON tasks(result_id) WHERE result_id IS NOT NULL;
                ALTER TABLE clock ADD COLUMN tasks INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v8") { db in
            try db.execute(sql: """
                -- Set when a job's work started (a transfer connected, a worker took the task): if its owner dies
                -- after that, the job spends an attempt, however soon it died. Cleared when the job goes back to the queue.
                ALTER TABLE jobs ADD COLUMN began INTEGER NOT NULL DEFAULT 0;
                """)
        }
        return migrator
    }
}
