/*
 * schema_sqlite.c — the SQLite schema as a list of forward migrations, the
 * check that a file is ours (and not from a newer library), and the mapping
 * from SQLite's result codes to libescalate's.
 *
 * Migrations run in one transaction together with their user_version
 * bumps, so a file is always at exactly one schema version.  Migrations are
 * fixed SQL text: nothing is ever built from data.
 */
#include <string.h>

#include "schema_sqlite.h"

/* migrations[i] takes a database from version i to version i + 1. */
static const char *const migrations[ESC_SCHEMA_VERSION] = {
    /* 0 -> 1: the current rows, their items, and the event log. */
    "CREATE TABLE escalations ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  token INTEGER NOT NULL,"
    "  external_ref TEXT UNIQUE,"
    "  version INTEGER NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  customer_id TEXT NOT NULL,"
    "  customer_name TEXT,"
    "  channel INTEGER NOT NULL,"
    "  impact INTEGER NOT NULL,"
    "  urgency INTEGER NOT NULL,"
    "  priority INTEGER NOT NULL,"
    "  vip INTEGER NOT NULL,"
    "  churn_risk INTEGER NOT NULL,"
    "  confidential INTEGER NOT NULL,"
    "  tier INTEGER NOT NULL,"
    "  owner_id TEXT,"
    "  owner_name TEXT,"
    "  problem TEXT,"
    "  problem_confirmed INTEGER NOT NULL,"
    "  promised_at INTEGER NOT NULL,"
    "  resolution TEXT,"
    "  unconfirmed INTEGER NOT NULL,"
    "  withdrawn INTEGER NOT NULL,"
    "  hold INTEGER NOT NULL,"
    "  hold_reason TEXT,"
    "  hold_since INTEGER NOT NULL,"
    "  root_cause_category TEXT,"
    "  root_cause TEXT,"
    "  lessons TEXT,"
    "  satisfaction INTEGER NOT NULL,"
    "  reopen_count INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  listen_mark INTEGER NOT NULL,"
    "  follow_up_mark INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE items ("
    "  escalation_id TEXT NOT NULL REFERENCES escalations(id),"
    "  kind INTEGER NOT NULL,"
    "  number INTEGER NOT NULL,"
    "  text TEXT,"
    "  category TEXT,"
    "  person_id TEXT,"
    "  person_name TEXT,"
    "  tier INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  flag INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  decision TEXT,"
    "  decided_by TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (escalation_id, kind, number)"
    ") WITHOUT ROWID;"
    "CREATE TABLE events ("
    "  escalation_id TEXT NOT NULL REFERENCES escalations(id),"
    "  seq INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  action INTEGER NOT NULL,"
    "  actor_id TEXT NOT NULL,"
    "  actor_name TEXT NOT NULL,"
    "  actor_tier INTEGER NOT NULL,"
    "  from_state INTEGER NOT NULL,"
    "  to_state INTEGER NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  PRIMARY KEY (escalation_id, seq)"
    ") WITHOUT ROWID;",

    /* 1 -> 2: indexes for the list filters, and the event log made
     * append-only inside the database itself. */
    "CREATE INDEX escalations_by_state ON escalations(state, priority, created_at);"
    "CREATE INDEX escalations_by_owner ON escalations(owner_id) WHERE owner_id IS NOT NULL;"
    "CREATE INDEX escalations_by_customer ON escalations(customer_id);"
    "CREATE INDEX escalations_by_due ON escalations(due_at) WHERE due_at > 0;"
    "CREATE INDEX items_tags ON items(kind, text) WHERE kind = 8;"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;",

    /* 2 -> 3: timers.  Escalations name their SLA policy and carry their
     * deadlines in columns (the next timer indexed, closed rows left out of
     * the index); calendars and policies are stored as versions that are
     * never changed; the outbox queues notifications until acknowledged. */
    "ALTER TABLE escalations ADD COLUMN sla_policy TEXT;"
    "ALTER TABLE escalations ADD COLUMN reminded_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN first_response_due INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN first_response_met_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN first_response_margin INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN update_due INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN update_met_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN update_margin INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN resolution_due INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN resolution_met_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN resolution_margin INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE escalations ADD COLUMN next_timer_at INTEGER NOT NULL DEFAULT 0;"
    "UPDATE escalations SET next_timer_at = due_at;"
    "CREATE INDEX escalations_by_next_timer ON escalations(next_timer_at) WHERE next_timer_at > 0;"
    "CREATE INDEX escalations_by_policy ON escalations(sla_policy)"
    "  WHERE sla_policy IS NOT NULL AND state <> 6;"
    "CREATE TABLE calendars ("
    "  name TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (name, version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE policies ("
    "  name TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  calendar TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (name, version)"
    ") WITHOUT ROWID;"
    "CREATE INDEX policies_by_calendar ON policies(calendar) WHERE calendar IS NOT NULL;"
    "CREATE TRIGGER calendars_no_update BEFORE UPDATE ON calendars"
    "  BEGIN SELECT RAISE(ABORT, 'stored calendars are versioned, never changed'); END;"
    "CREATE TRIGGER calendars_no_delete BEFORE DELETE ON calendars"
    "  BEGIN SELECT RAISE(ABORT, 'stored calendars are versioned, never changed'); END;"
    "CREATE TRIGGER policies_no_update BEFORE UPDATE ON policies"
    "  BEGIN SELECT RAISE(ABORT, 'stored policies are versioned, never changed'); END;"
    "CREATE TRIGGER policies_no_delete BEFORE DELETE ON policies"
    "  BEGIN SELECT RAISE(ABORT, 'stored policies are versioned, never changed'); END;"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  escalation_id TEXT NOT NULL REFERENCES escalations(id),"
    "  seq INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  fired_at INTEGER NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  acked_at INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (escalation_id, seq)"
    ");"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE acked_at = 0;",

    /* 3 -> 4: the tamper-evident history: each event carries a hash
     * chained to the previous one (event_chain.c).  Events written before
     * keep an empty hash; the chain still covers them. */
    "ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';"
    /* ... and who opened each escalation, which decides who may see a
     * confidential one (taken from the open event). */
    "ALTER TABLE escalations ADD COLUMN opened_by TEXT;"
    "ALTER TABLE escalations ADD COLUMN chain_head TEXT;"
    "UPDATE escalations SET opened_by = (SELECT actor_id FROM events"
    "  WHERE events.escalation_id = escalations.id AND seq = 1);",
};

int esc__sqlite_error(esc_db *db, sqlite3 *sqlite, int rc, const char *doing)
{
    const char *detail = sqlite ? sqlite3_errmsg(sqlite) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = ESC_EBUSY;
        break;
    case SQLITE_CORRUPT:
        code = ESC_ECORRUPT;
        break;
    case SQLITE_NOTADB:
        code = ESC_ENOTADB;
        break;
    case SQLITE_READONLY:
        code = ESC_EREADONLY;
        break;
    case SQLITE_FULL:
        code = ESC_EFULL;
        break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        code = ESC_EIO;
        break;
    case SQLITE_NOMEM:
        code = ESC_ENOMEM;
        break;
    case SQLITE_CONSTRAINT:
        code = ESC_EEXISTS;
        break;
    case SQLITE_ERROR:
        /* The library's SQL is fixed and valid: a plain error means the
         * file's tables are not the ones it wrote (a missing table, say). */
        code = ESC_ECORRUPT;
        break;
    default:
        code = ESC_EINTERNAL;
        break;
    }
    return esc__error(db, code, "%s: %s", doing, detail);
}

/* Run a one-row query and read its first count integer columns. */
static int read_ints(esc_db *db, sqlite3 *sqlite, const char *sql, int *out, int count)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(sqlite, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            for (int i = 0; i < count; i++)
                out[i] = sqlite3_column_int(stmt, i);
            rc = SQLITE_OK;
        }
    }
    int code = rc == SQLITE_OK ? ESC_OK
                               : esc__sqlite_error(db, sqlite, rc, "reading the database header");
    sqlite3_finalize(stmt);
    return code;
}

static int exec(esc_db *db, sqlite3 *sqlite, const char *sql, const char *doing)
{
    int rc = sqlite3_exec(sqlite, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? ESC_OK : esc__sqlite_error(db, sqlite, rc, doing);
}

/* The migrations from *version up to target and their version bumps, all
 * or nothing.  The version is re-read inside the write transaction: another
 * process may have migrated the file while this one waited for the lock
 * (then nothing is left to do, or the loop comes round again).  PRAGMA takes no bound
 * parameters, so the bump is chosen from a fixed table, not formatted. */
static int migrate(esc_db *db, sqlite3 *sqlite, int *version, int target)
{
    static const char *const bump[ESC_SCHEMA_VERSION] = {
        "PRAGMA user_version = 1",
        "PRAGMA user_version = 2",
        "PRAGMA user_version = 3",
        "PRAGMA user_version = 4",
    };
    int rc = exec(db, sqlite, "BEGIN IMMEDIATE", "starting a schema migration");
    if (rc != ESC_OK)
        return rc;
    int from = 0;
    rc = read_ints(db, sqlite, "PRAGMA user_version", &from, 1);
    if (rc == ESC_OK && from > target) {
        rc = esc__error(db, ESC_ESCHEMA, "another process took the database to schema version %d",
                        from);
    } else if (rc == ESC_OK && from < *version) {
        rc = esc__error(db, ESC_ECORRUPT, "the schema version went backwards");
    } else if (rc == ESC_OK && from == *version) {
        if (from == 0)
            rc = exec(db, sqlite, "PRAGMA application_id = 1163084609", "marking the file");
        /* Every pending migration in this one transaction: one commit (and
         * one wait for the disk) however far behind the file is. */
        for (; rc == ESC_OK && from < target; from++) {
            rc = exec(db, sqlite, migrations[from], "migrating the schema");
            if (rc == ESC_OK)
                rc = exec(db, sqlite, bump[from], "recording the schema version");
        }
    }
    if (rc == ESC_OK)
        rc = exec(db, sqlite, "COMMIT", "committing a schema migration");
    if (rc != ESC_OK) {
        sqlite3_exec(sqlite, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    *version = from;
    return ESC_OK;
}

int esc__sqlite_schema_prepare(esc_db *db, sqlite3 *sqlite, int readonly, int target,
                               int *out_version)
{
    int header[3] = { 0, 0, 0 };
    /* One statement, so one read transaction: another process creating the
     * file at this moment is seen either before or after, never half way.
     * This first read is also where SQLite notices a file that is not a
     * database at all (or a damaged one). */
    int rc = read_ints(db, sqlite,
                       "SELECT (SELECT application_id FROM pragma_application_id),"
                       " (SELECT user_version FROM pragma_user_version),"
                       " (SELECT count(*) FROM sqlite_schema)",
                       header, 3);
    if (rc != ESC_OK)
        return rc;
    int application_id = header[0], version = header[1], tables = header[2];
    /* A brand-new file has no id, no version and no tables; every file we
     * wrote carries our application id. */
    int fresh = application_id == 0 && version == 0 && tables == 0;
    if (application_id != ESC_SQLITE_APPLICATION_ID && !fresh)
        return esc__error(db, ESC_ENOTADB,
                          "the file is an SQLite database of another application, not an escalate database");
    if (!fresh && version >= 1 && tables == 0)
        return esc__error(db, ESC_ECORRUPT,
                          "the database claims schema version %d but holds no tables", version);
    if (version < 0)
        return esc__error(db, ESC_ECORRUPT, "the database claims schema version %d", version);
    if (version > ESC_SCHEMA_VERSION)
        return esc__error(db, ESC_ESCHEMA,
                          "the database has schema version %d; this libescalate (%s) knows up to %d",
                          version, ESC_VERSION_STRING, ESC_SCHEMA_VERSION);
    if (version < target && readonly)
        return esc__error(db, ESC_EREADONLY,
                          "the database has schema version %d and needs migrating to %d, but it is read-only",
                          version, target);
    while (version < target)
        if ((rc = migrate(db, sqlite, &version, target)) != ESC_OK)
            return rc;
    *out_version = version;
    return ESC_OK;
}
