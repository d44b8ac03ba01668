#pragma once
// The one SQLite setting GRDB does not reach: sqlite3_config is variadic, so Swift cannot call it.

/// Turns off SQLite's memory statistics, once per process, before any connection is opened (a later call changes
/// nothing: SQLite refuses configuration once initialised). With statistics on (Debian's default), every allocation
/// of every connection takes one process-wide mutex: the pipeline's writer and the publisher's reader then queue on
/// it and sleep in the kernel hundreds of times per second. Returns SQLite's result code (0 when it took effect).
int sluice_sqlite_disable_memory_statistics(void);
