#pragma once
// What GRDB does not reach: sqlite3_config is variadic, so Swift cannot call it; and a query run on a bare
// connection, without GRDB's pool (a dispatch queue per connection) and its transaction statements.

#include <stdint.h>

/// Turns off SQLite's memory statistics, once per process, before any connection is opened (a later call changes
/// nothing: SQLite refuses configuration once initialised). With statistics on (Debian's default), every allocation
/// of every connection takes one process-wide mutex: the pipeline's writer and the publisher's reader then queue on
/// it and sleep in the kernel hundreds of times per second. Returns SQLite's result code (0 when it took effect).
int sluice_sqlite_disable_memory_statistics(void);

/// A read-only connection with one prepared query that answers a single integer. Used by one thread at a time.
typedef struct sluice_sqlite_integer_query sluice_sqlite_integer_query;

/// Opens `path` read-only and prepares `sql`; waits up to `busy_timeout_ms` for a lock. On failure returns NULL
/// and sets `*code` to SQLite's extended result code and `message` (of `capacity` bytes) to its message.
sluice_sqlite_integer_query *sluice_sqlite_integer_query_open(const char *path, const char *sql, int busy_timeout_ms,
                                                              int *code, char *message, int capacity);

/// Runs the query as a transaction of its own: the first column of its first row in `*value` (0 when there is no
/// row). Returns SQLite's extended result code (0 on success; on failure `message` holds SQLite's message).
int sluice_sqlite_integer_query_run(sluice_sqlite_integer_query *query, int64_t *value, char *message, int capacity);

void sluice_sqlite_integer_query_close(sluice_sqlite_integer_query *query);
