#include "CSQLite.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

int sluice_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct sluice_sqlite_integer_query {
    sqlite3 *db;
    sqlite3_stmt *statement;
};

static void copy_message(sqlite3 *db, char *message, int capacity) {
    if (capacity > 0) snprintf(message, (size_t)capacity, "%s", db ? sqlite3_errmsg(db) : "out of memory");
}

sluice_sqlite_integer_query *sluice_sqlite_integer_query_open(const char *path, const char *sql, int busy_timeout_ms,
                                                              int *code, char *message, int capacity) {
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, busy_timeout_ms);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL);
    sluice_sqlite_integer_query *query = rc == SQLITE_OK ? malloc(sizeof *query) : NULL;
    if (query == NULL) {
        *code = rc == SQLITE_OK ? SQLITE_NOMEM : rc;
        copy_message(db, message, capacity);
        sqlite3_finalize(statement);
        sqlite3_close_v2(db);
        return NULL;
    }
    query->db = db;
    query->statement = statement;
    return query;
}

int sluice_sqlite_integer_query_run(sluice_sqlite_integer_query *query, int64_t *value, char *message, int capacity) {
    int rc = sqlite3_step(query->statement);
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(query->statement, 0) : 0;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
    else copy_message(query->db, message, capacity);
    // Resetting ends the statement's read transaction (it returns the step's error again, already taken).
    sqlite3_reset(query->statement);
    return rc;
}

void sluice_sqlite_integer_query_close(sluice_sqlite_integer_query *query) {
    if (query == NULL) return;
    sqlite3_finalize(query->statement);
    sqlite3_close_v2(query->db);
    free(query);
}
