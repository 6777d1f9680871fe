/*
 * store_sqlite.c — the SQLite backend of the storage interface (store.h):
 * connection setup (WAL, busy timeout, foreign keys, 0600 files), the
 * prepared-once statement cache, transactions and savepoints, and the
 * mapping between rows and the in-memory model.
 *
 * Every statement is fixed text, assembled at compile time from the column
 * lists below, prepared on first use, kept for the life of the connection,
 * and bound: no SQL is ever built from data.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "schema_sqlite.h"
#include "store_sqlite.h"

/* ---- SQL text -------------------------------------------------------------
 * Column names are the model's field names (model.h); the statements below
 * are assembled from those lists at compile time. */

#define ORDER_PRIORITY " ORDER BY priority, created_at, id"
#define ORDER_DUE " ORDER BY due_at = 0, due_at, priority, id"
#define ORDER_CREATED " ORDER BY created_at, id"
/* Every filter is optional: a NULL parameter matches everything. */
#define LIST_WHERE \
    "WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR owner_id = ?2)" \
    " AND (?3 IS NULL OR tier = ?3) AND (?4 IS NULL OR priority = ?4)" \
    " AND (?5 IS NULL OR customer_id = ?5)" \
    " AND (?6 IS NULL OR (?6 = 1 AND state <> 6) OR (?6 = 2 AND state = 6))" \
    " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM items t WHERE t.escalation_id = escalations.id" \
    "      AND t.kind = 8 AND t.text = ?7))" \
    " AND " ESC_SQLITE_MAY_SEE("?10", "?11", "?12")
#define LIST_LIMIT " LIMIT ?8 OFFSET ?9"

typedef enum statement_id {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_SELECT_BY_ID,
    ST_SELECT_BY_REF,
    ST_SELECT_ITEMS,
    ST_SELECT_VERSION,
    ST_INSERT_ESCALATION,
    ST_UPDATE_ESCALATION,
    ST_UPSERT_ITEM,
    ST_DELETE_ITEMS,
    ST_REPLACE_ESCALATION,
    ST_INSERT_EVENT,
    ST_SELECT_EVENTS,
    ST_SELECT_IDS,
    ST_LIST_PRIORITY,
    ST_LIST_DUE,
    ST_LIST_CREATED,
    ST_COUNT
} statement_id;

_Static_assert(ST_COUNT <= ESC_SQLITE_CORE_STATEMENTS, "raise ESC_SQLITE_CORE_STATEMENTS");

static const char *const statement_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT step",
    [ST_RELEASE] = "RELEASE step",
    [ST_ROLLBACK_TO] = "ROLLBACK TO step",
    [ST_SELECT_BY_ID] = SELECT_ESCALATION "WHERE id = ?",
    [ST_SELECT_BY_REF] = SELECT_ESCALATION "WHERE external_ref = ?",
    [ST_SELECT_VERSION] = "SELECT version FROM escalations WHERE id = ?",
    [ST_SELECT_ITEMS] = "SELECT kind, number" ITEM_COLUMNS(COMMA_NAME)
                        " FROM items WHERE escalation_id = ? ORDER BY kind, number",
    [ST_INSERT_ESCALATION] = "INSERT INTO escalations (id, token" ESCALATION_COLUMNS(COMMA_NAME)
                             ESC_TIMER_FIELDS(TIMER_COMMA_NAME) ") VALUES (?, ?"
                             ESCALATION_COLUMNS(COMMA_PLACEHOLDER)
                             ESC_TIMER_FIELDS(TIMER_COMMA_PLACEHOLDER) ")",
    [ST_UPDATE_ESCALATION] = "UPDATE escalations SET token = ?" ESCALATION_COLUMNS(COMMA_ASSIGN)
                             ESC_TIMER_FIELDS(TIMER_COMMA_ASSIGN)
                             " WHERE id = ? AND version = ? AND token = ?",
    [ST_UPSERT_ITEM] = "INSERT INTO items (escalation_id, kind, number" ITEM_COLUMNS(COMMA_NAME)
                       ") VALUES (?, ?, ?" ITEM_COLUMNS(COMMA_PLACEHOLDER) ")"
                       " ON CONFLICT (escalation_id, kind, number) DO UPDATE SET"
                       " number = excluded.number" ITEM_COLUMNS(COMMA_EXCLUDED),
    [ST_DELETE_ITEMS] = "DELETE FROM items WHERE escalation_id = ?",
    [ST_REPLACE_ESCALATION] = "UPDATE escalations SET token = ?" ESCALATION_COLUMNS(COMMA_ASSIGN)
                              ESC_TIMER_FIELDS(TIMER_COMMA_ASSIGN) " WHERE id = ?",
    [ST_INSERT_EVENT] = "INSERT INTO events (escalation_id, seq, at, action, actor_id,"
                        " actor_name, actor_tier, from_state, to_state, payload, hash)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_SELECT_EVENTS] = "SELECT escalation_id, seq, at, action, actor_id, actor_name,"
                         " actor_tier, from_state, to_state, payload, hash"
                         " FROM events WHERE escalation_id = ? ORDER BY seq",

    [ST_SELECT_IDS] = "SELECT id FROM escalations UNION SELECT escalation_id FROM events ORDER BY 1",
    [ST_LIST_PRIORITY] = SELECT_ESCALATION LIST_WHERE ORDER_PRIORITY LIST_LIMIT,
    [ST_LIST_DUE] = SELECT_ESCALATION LIST_WHERE ORDER_DUE LIST_LIMIT,
    [ST_LIST_CREATED] = SELECT_ESCALATION LIST_WHERE ORDER_CREATED LIST_LIMIT,
};

/* ---- statements ----------------------------------------------------------- */

static int fail(esc_store *store, int rc, const char *doing)
{
    return esc__sqlite_error(store->owner, store->sqlite, rc, doing);
}

/* The cached statement, reset and unbound, ready for new parameters. */
int esc__sqlite_prepared(esc_store *store, int slot_index, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt **slot = &store->statements[slot_index];
    if (*slot == NULL) {
        int rc = sqlite3_prepare_v3(store->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK)
            return fail(store, rc, "preparing a statement");
    } else {
        sqlite3_reset(*slot);
        sqlite3_clear_bindings(*slot);
    }
    *out = *slot;
    return ESC_OK;
}

static int statement(esc_store *store, statement_id id, sqlite3_stmt **out)
{
    return esc__sqlite_prepared(store, id, statement_sql[id], out);
}

/* Run a statement that returns no rows; reset it so it holds no lock. */
static int run(esc_store *store, sqlite3_stmt *stmt, const char *doing)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return fail(store, rc, doing);
    return ESC_OK;
}

static int run_fixed(esc_store *store, statement_id id, const char *doing)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, id, &stmt);
    return rc != ESC_OK ? rc : run(store, stmt, doing);
}

static int bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text == NULL)
        return sqlite3_bind_null(stmt, index);
    return sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
}

/* Bind the columns of a struct (escalation or item) starting at first. */
static int bind_columns(sqlite3_stmt *stmt, int first, const esc_field_list *columns,
                        const void *record)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < (int)columns->count && rc == SQLITE_OK; i++) {
        const char *field = (const char *)record + columns->fields[i].offset;
        switch (columns->fields[i].type) {
        case ESC_FIELD_TEXT:
            rc = bind_text(stmt, first + i, *(char *const *)field);
            break;
        case ESC_FIELD_INT:
            rc = sqlite3_bind_int(stmt, first + i, *(const int *)field);
            break;
        case ESC_FIELD_INT64:
            rc = sqlite3_bind_int64(stmt, first + i, *(const int64_t *)field);
            break;
        }
    }
    return rc;
}

static int column_text(sqlite3_stmt *stmt, int index, char **slot)
{
    const unsigned char *text = sqlite3_column_text(stmt, index);
    if (text == NULL && sqlite3_column_type(stmt, index) != SQLITE_NULL)
        return ESC_ENOMEM;
    return esc__set_text(slot, (const char *)text);
}

/* The replayed columns of an escalation, then its timer columns. */
static int bind_escalation(sqlite3_stmt *stmt, int first, const esc_escalation *esc)
{
    int rc = bind_columns(stmt, first, &esc__escalation_fields, esc);
    if (rc == SQLITE_OK)
        rc = bind_columns(stmt, first + (int)esc__escalation_fields.count, &esc__timer_fields, esc);
    return rc;
}

/* Read the columns of a struct from a row, starting at column first. */
static int read_columns(sqlite3_stmt *stmt, int first, const esc_field_list *columns,
                        void *record)
{
    for (int i = 0; i < (int)columns->count; i++) {
        char *field = (char *)record + columns->fields[i].offset;
        switch (columns->fields[i].type) {
        case ESC_FIELD_TEXT:
            if (column_text(stmt, first + i, (char **)field) != ESC_OK)
                return ESC_ENOMEM;
            break;
        case ESC_FIELD_INT:
            *(int *)field = sqlite3_column_int(stmt, first + i);
            break;
        case ESC_FIELD_INT64:
            *(int64_t *)field = sqlite3_column_int64(stmt, first + i);
            break;
        }
    }
    return ESC_OK;
}

/* A stored row must hold values the library could have written; anything
 * else was edited behind its back and must not reach the host as an enum.
 * Returns the name of the first impossible field, or NULL. */
static const char *impossible_field(const esc_escalation *esc)
{
    if ((int)esc->state < 0 || esc->state >= ESC_STATE_COUNT)
        return "state";
    if ((int)esc->channel < 0 || esc->channel >= ESC_CHANNEL_COUNT)
        return "channel";
    if ((int)esc->hold < 0 || esc->hold >= ESC_HOLD_COUNT)
        return "hold";
    if (esc->summary == NULL)
        return "summary";
    if (esc->customer_id == NULL)
        return "customer_id";
    if (esc->version < 1)
        return "version";
    return NULL;
}

/* ---- connection ----------------------------------------------------------- */

static void sqlite_close(esc_store *store)
{
    if (store == NULL)
        return;
    for (int i = 0; i < ESC_SQLITE_STATEMENTS; i++)
        sqlite3_finalize(store->statements[i]);
    sqlite3_close_v2(store->sqlite);
    free(store);
}

/* SQLite creates files 0644; escalations hold customers' words, so a new
 * file is created here first with the host's mode (0600 by default). */
static int create_private_file(esc_db *db, const char *path, unsigned int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ? (mode_t)mode : 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return ESC_OK;
        return esc__error(db, errno == EACCES || errno == EROFS ? ESC_EREADONLY : ESC_EIO,
                          "cannot create %s: %s", path, strerror(errno));
    }
    close(fd);
    return ESC_OK;
}

static int is_memory_path(const char *path)
{
    return strcmp(path, ":memory:") == 0 || path[0] == '\0';
}

/* Changing journal_mode needs a moment of exclusive access and SQLite does
 * not wait for it through the busy handler, so two handles creating the
 * same file at once would see SQLITE_BUSY at once.  Retry within the
 * timeout.  Fixed statements: the mode is chosen, never formatted. */
static int switch_journal(esc_store *store, int journal, int busy_timeout_ms)
{
    const char *sql = journal == ESC_JOURNAL_ROLLBACK ? "PRAGMA journal_mode = DELETE"
                                                      : "PRAGMA journal_mode = WAL";
    int waited = 0;
    for (;;) {
        int rc = sqlite3_exec(store->sqlite, sql, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= busy_timeout_ms)
            return rc == SQLITE_OK ? ESC_OK : fail(store, rc, "choosing the journal");
        sqlite3_sleep(5);
        waited += 5;
    }
}

/* Connection settings; WAL is switched on only once the file is known to
 * be ours (see sqlite_open), so a foreign file is never changed. */
static int configure_connection(esc_store *store, const esc_db_options *options)
{
    int rc = sqlite3_busy_timeout(store->sqlite, options->busy_timeout_ms);
    if (rc != SQLITE_OK)
        return fail(store, rc, "setting the busy timeout");
    rc = sqlite3_exec(store->sqlite, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(store, rc, "enabling foreign keys");
    return ESC_OK;
}

/* WAL (the default) lets readers go on while one writer commits; NORMAL
 * sync is durable across application crashes, and with WAL only a power
 * loss can undo the last commits.  FULL waits for the disk every commit. */
static int configure_journal(esc_store *store, const esc_db_options *options)
{
    int rc = sqlite3_exec(store->sqlite,
                          options->sync == ESC_SYNC_FULL ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(store, rc, "setting synchronous mode");
    if (store->readonly)
        return ESC_OK;
    return switch_journal(store, options->journal, options->busy_timeout_ms);
}

static int sqlite_open(esc_store **out, esc_db *db, const char *path,
                       const esc_db_options *options)
{
    *out = NULL;
    esc_store *store = calloc(1, sizeof *store);
    if (store == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory opening %s", path);
    store->owner = db;
    int memory = is_memory_path(path);
    int readonly = (options->flags & ESC_OPEN_READONLY) != 0;
    int rc;

    if (memory && readonly) {
        sqlite_close(store);
        return esc__error(db, ESC_EINVAL, "an in-memory database cannot be opened read-only");
    }
    if (!memory && access(path, F_OK) != 0) {
        if (errno != ENOENT) {
            sqlite_close(store);
            return esc__error(db, errno == EACCES ? ESC_EREADONLY : ESC_EIO, "cannot reach %s: %s",
                              path, strerror(errno));
        }
        if (!(options->flags & ESC_OPEN_CREATE) || readonly) {
            sqlite_close(store);
            return esc__error(db, ESC_ENOTFOUND, "no database at %s (pass ESC_OPEN_CREATE to create one)",
                              path);
        }
        if ((rc = create_private_file(db, path, options->file_mode)) != ESC_OK) {
            sqlite_close(store);
            return rc;
        }
    }
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
                SQLITE_OPEN_EXRESCODE;
    if (memory)
        flags |= SQLITE_OPEN_CREATE;
    int sqlite_rc = sqlite3_open_v2(path, &store->sqlite, flags, NULL);
    if (sqlite_rc != SQLITE_OK) {
        rc = fail(store, sqlite_rc, "opening the database");
        sqlite_close(store);
        return rc;
    }
    sqlite3_extended_result_codes(store->sqlite, 1);
    /* A write-protected file opens read-only without complaint; remember it
     * so that writes are refused with a clear message. */
    store->readonly = readonly || sqlite3_db_readonly(store->sqlite, "main") == 1;
    if ((rc = configure_connection(store, options)) != ESC_OK ||
        (rc = esc__sqlite_schema_prepare(db, store->sqlite, store->readonly, ESC_SCHEMA_VERSION,
                                         &store->schema_version)) != ESC_OK ||
        (rc = configure_journal(store, options)) != ESC_OK) {
        sqlite_close(store);
        return rc;
    }
    *out = store;
    return ESC_OK;
}

static int sqlite_is_readonly(const esc_store *store)
{
    return store->readonly;
}

static int sqlite_schema_version(const esc_store *store)
{
    return store->schema_version;
}

/* ---- transactions --------------------------------------------------------- */

static int sqlite_in_batch(const esc_store *store)
{
    return store->in_batch;
}

static int sqlite_batch_begin(esc_store *store)
{
    int rc = run_fixed(store, ST_BEGIN, "starting a batch");
    if (rc == ESC_OK)
        store->in_batch = 1;
    return rc;
}

static int sqlite_batch_commit(esc_store *store)
{
    int rc = run_fixed(store, ST_COMMIT, "committing the batch");
    if (rc == ESC_OK)
        store->in_batch = 0;
    return rc;
}

static int sqlite_batch_rollback(esc_store *store)
{
    /* If SQLite already rolled back (after a disk-full error, say), there
     * is nothing to roll back and that is fine. */
    if (sqlite3_get_autocommit(store->sqlite) == 0)
        run_fixed(store, ST_ROLLBACK, "rolling back the batch");
    store->in_batch = 0;
    return ESC_OK;
}

static int sqlite_read_begin(esc_store *store, int *started)
{
    *started = 0;
    if (sqlite3_get_autocommit(store->sqlite) == 0)
        return ESC_OK;
    int rc = run_fixed(store, ST_BEGIN_READ, "starting a read");
    *started = rc == ESC_OK;
    return rc;
}

static void sqlite_read_end(esc_store *store, int started)
{
    if (started && sqlite3_get_autocommit(store->sqlite) == 0)
        run_fixed(store, ST_COMMIT, "ending a read");
}

static int sqlite_step_begin(esc_store *store)
{
    if (store->readonly)
        return esc__error(store->owner, ESC_EREADONLY, "the database is open read-only");
    return run_fixed(store, store->in_batch ? ST_SAVEPOINT : ST_BEGIN, "starting a transaction");
}

static int sqlite_step_commit(esc_store *store)
{
    return run_fixed(store, store->in_batch ? ST_RELEASE : ST_COMMIT, "committing");
}

static void sqlite_step_rollback(esc_store *store)
{
    if (sqlite3_get_autocommit(store->sqlite) != 0) {
        /* SQLite ended the whole transaction itself (a full disk does
         * that): a batch is gone with it. */
        store->in_batch = 0;
        return;
    }
    if (store->in_batch) {
        if (run_fixed(store, ST_ROLLBACK_TO, "rolling back the step") == ESC_OK)
            run_fixed(store, ST_RELEASE, "closing the step");
    } else {
        run_fixed(store, ST_ROLLBACK, "rolling back");
    }
}

/* ---- current rows --------------------------------------------------------- */

static int load_items(esc_store *store, esc_escalation *esc)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_SELECT_ITEMS, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, esc->id);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        int kind = sqlite3_column_int(stmt, 0);
        int number = sqlite3_column_int(stmt, 1);
        esc_item *item;
        /* Items are numbered 1, 2, 3 ... per kind; a gap means tampering. */
        if (kind < 0 || kind >= ESC_ITEM_KIND_COUNT ||
            (size_t)number != esc->items[kind].count + 1) {
            sqlite3_reset(stmt);
            return esc__error(store->owner, ESC_ECORRUPT, "escalation %s has a malformed item",
                              esc->id);
        }
        if ((rc = esc__item_append(esc, (esc_item_kind)kind, &item)) != ESC_OK ||
            (rc = read_columns(stmt, 2, &esc__item_fields, item)) != ESC_OK) {
            sqlite3_reset(stmt);
            return esc__error(store->owner, ESC_ENOMEM, "out of memory reading items");
        }
        item->dirty = 0;
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? ESC_OK : fail(store, step, "reading items");
}

/* Read the current row of stmt (already positioned) and its items. */
static int read_escalation(esc_store *store, sqlite3_stmt *stmt, esc_escalation *out)
{
    const unsigned char *id = sqlite3_column_text(stmt, 0);
    if (id == NULL || strlen((const char *)id) != 36)
        return esc__error(store->owner, ESC_ECORRUPT, "an escalation has a malformed id");
    memcpy(out->id, id, 37);
    out->token = sqlite3_column_int64(stmt, 1);
    if (read_columns(stmt, 2, &esc__escalation_fields, out) != ESC_OK ||
        read_columns(stmt, 2 + (int)esc__escalation_fields.count, &esc__timer_fields, out) != ESC_OK)
        return esc__error(store->owner, ESC_ENOMEM, "out of memory reading an escalation");
    const char *field = impossible_field(out);
    if (field != NULL)
        return esc__error(store->owner, ESC_ECORRUPT,
                          "escalation %s: %s holds a value libescalate never writes", out->id, field);
    return ESC_OK;
}

static int load_row_and_items(esc_store *store, statement_id id, const char *key,
                              esc_escalation *out, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, id, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, key);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        rc = read_escalation(store, stmt, out);
    else if (step == SQLITE_DONE)
        rc = esc__error(store->owner, ESC_ENOTFOUND, "no escalation with %s %s", what, key);
    else
        rc = fail(store, step, "reading an escalation");
    sqlite3_reset(stmt);
    if (rc == ESC_OK)
        rc = load_items(store, out);
    return rc;
}

/* The row and its items, read in one transaction: one version. */
static int load_one(esc_store *store, statement_id id, const char *key, esc_escalation *out,
                    const char *what)
{
    int started;
    int rc = sqlite_read_begin(store, &started);
    if (rc == ESC_OK)
        rc = load_row_and_items(store, id, key, out, what);
    sqlite_read_end(store, started);
    return rc;
}

static int sqlite_load(esc_store *store, esc_escalation *out, const char *id)
{
    return load_one(store, ST_SELECT_BY_ID, id, out, "id");
}

static int sqlite_load_by_ref(esc_store *store, esc_escalation *out, const char *ref)
{
    return load_one(store, ST_SELECT_BY_REF, ref, out, "external reference");
}

static int write_item(esc_store *store, const char *escalation_id, const esc_item *item)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_UPSERT_ITEM, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, escalation_id);
    sqlite3_bind_int(stmt, 2, item->kind);
    sqlite3_bind_int(stmt, 3, item->number);
    int bind = bind_columns(stmt, 4, &esc__item_fields, item);
    if (bind != SQLITE_OK)
        return fail(store, bind, "binding an item");
    return run(store, stmt, "writing an item");
}

static int write_items(esc_store *store, const esc_escalation *esc, int all)
{
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        for (size_t i = 0; i < esc->items[k].count; i++)
            if (all || esc->items[k].items[i].dirty) {
                int rc = write_item(store, esc->id, &esc->items[k].items[i]);
                if (rc != ESC_OK)
                    return rc;
            }
    return ESC_OK;
}

static int sqlite_insert(esc_store *store, const esc_escalation *esc)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_INSERT_ESCALATION, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, esc->id);
    sqlite3_bind_int64(stmt, 2, esc->token);
    int bind = bind_escalation(stmt, 3, esc);
    if (bind != SQLITE_OK)
        return fail(store, bind, "binding an escalation");
    int step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_CONSTRAINT_UNIQUE && esc->external_ref != NULL)
        return esc__error(store->owner, ESC_EEXISTS,
                          "external reference %s is already used by another escalation",
                          esc->external_ref);
    if (step != SQLITE_DONE)
        return fail(store, step, "inserting an escalation");
    return write_items(store, esc, 1);
}

/* UPDATE the row (statement ST_UPDATE_ESCALATION or ST_REPLACE_ESCALATION;
 * the former also checks the expected version and token); *changed tells
 * whether a row matched. */
static int update_row(esc_store *store, statement_id id, const esc_escalation *esc,
                      int64_t expected_version, int64_t expected_token, int *changed)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, id, &stmt);
    if (rc != ESC_OK)
        return rc;
    const int last = 1 + ESCALATION_COLUMN_COUNT;
    int bind = sqlite3_bind_int64(stmt, 1, esc->token);
    if (bind == SQLITE_OK)
        bind = bind_escalation(stmt, 2, esc);
    if (bind == SQLITE_OK)
        bind = bind_text(stmt, last + 1, esc->id);
    if (bind == SQLITE_OK && id == ST_UPDATE_ESCALATION)
        bind = sqlite3_bind_int64(stmt, last + 2, expected_version);
    if (bind == SQLITE_OK && id == ST_UPDATE_ESCALATION)
        bind = sqlite3_bind_int64(stmt, last + 3, expected_token);
    if (bind != SQLITE_OK)
        return fail(store, bind, "binding an escalation");
    if ((rc = run(store, stmt, "updating an escalation")) != ESC_OK)
        return rc;
    *changed = sqlite3_changes(store->sqlite) > 0;
    return ESC_OK;
}

/* No row matched id, version and token: say whether the row is gone,
 * newer, or rewritten at the same version. */
static int explain_missed_update(esc_store *store, const char *id, int64_t expected_version)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_SELECT_VERSION, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, id);
    int step = sqlite3_step(stmt);
    int64_t stored = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE)
        return esc__error(store->owner, ESC_ENOTFOUND, "no escalation with id %s", id);
    if (step != SQLITE_ROW)
        return fail(store, step, "reading a version");
    if (stored == expected_version)
        return esc__error(store->owner, ESC_ECONFLICT,
                          "escalation %s was rewritten since this snapshot was read (a rolled-back "
                          "batch or a rebuild): fetch it again", id);
    return esc__error(store->owner, ESC_ECONFLICT,
                      "escalation %s is at version %lld, not %lld: fetch it again", id,
                      (long long)stored, (long long)expected_version);
}

static int sqlite_update(esc_store *store, const esc_escalation *esc, int64_t expected_version,
                         int64_t expected_token)
{
    int changed = 0;
    int rc = update_row(store, ST_UPDATE_ESCALATION, esc, expected_version, expected_token,
                        &changed);
    if (rc != ESC_OK)
        return rc;
    if (!changed)
        return explain_missed_update(store, esc->id, expected_version);
    return write_items(store, esc, 0);
}

static int sqlite_replace(esc_store *store, const esc_escalation *esc)
{
    int changed = 0;
    int rc = update_row(store, ST_REPLACE_ESCALATION, esc, 0, 0, &changed);
    if (rc != ESC_OK)
        return rc;
    if (!changed)
        return sqlite_insert(store, esc);
    sqlite3_stmt *stmt = NULL;
    if ((rc = statement(store, ST_DELETE_ITEMS, &stmt)) != ESC_OK)
        return rc;
    bind_text(stmt, 1, esc->id);
    if ((rc = run(store, stmt, "clearing items")) != ESC_OK)
        return rc;
    return write_items(store, esc, 1);
}

static int bind_optional_int(sqlite3_stmt *stmt, int index, int value)
{
    return value < 0 ? sqlite3_bind_null(stmt, index) : sqlite3_bind_int(stmt, index, value);
}

static int list_rows_and_items(esc_store *store, struct esc_escalation_list *out,
                               const esc_filter *f, const esc_access *access);

/* Rows and their items, read in one transaction: one consistent view. */
static int sqlite_list(esc_store *store, struct esc_escalation_list *out, const esc_filter *f,
                       const esc_access *access)
{
    int started;
    int rc = sqlite_read_begin(store, &started);
    if (rc == ESC_OK)
        rc = list_rows_and_items(store, out, f, access);
    sqlite_read_end(store, started);
    return rc;
}

static int list_rows_and_items(esc_store *store, struct esc_escalation_list *out,
                               const esc_filter *f, const esc_access *access)
{
    static const statement_id by_order[] = { ST_LIST_PRIORITY, ST_LIST_DUE, ST_LIST_CREATED };
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, by_order[f->order], &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_optional_int(stmt, 1, f->state);
    bind_text(stmt, 2, f->owner_id);
    bind_optional_int(stmt, 3, f->tier);
    bind_optional_int(stmt, 4, f->priority);
    bind_text(stmt, 5, f->customer_id);
    bind_optional_int(stmt, 6, f->open == ESC_FILTER_ANY ? -1 : f->open);
    bind_text(stmt, 7, f->tag);
    sqlite3_bind_int64(stmt, 8, (sqlite3_int64)(f->limit ? f->limit : 100));
    sqlite3_bind_int64(stmt, 9, (sqlite3_int64)f->offset);
    esc__sqlite_bind_access(stmt, 10, access);
    return esc__sqlite_read_rows(store, stmt, out);
}

int esc__sqlite_read_rows(esc_store *store, sqlite3_stmt *stmt, struct esc_escalation_list *out)
{
    int rc = ESC_OK;
    int step;
    /* Rows are collected first and their items read afterwards, so that
     * only one cursor is open at a time. */
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        esc_escalation *esc = esc__escalation_new();
        if (esc == NULL) {
            rc = esc__error(store->owner, ESC_ENOMEM, "out of memory listing escalations");
            break;
        }
        rc = read_escalation(store, stmt, esc);
        if (rc == ESC_OK && esc__escalation_list_push(out, esc) != ESC_OK)
            rc = esc__error(store->owner, ESC_ENOMEM, "out of memory listing escalations");
        if (rc != ESC_OK) {
            esc_escalation_free(esc);
            break;
        }
    }
    sqlite3_reset(stmt);
    if (rc == ESC_OK && step != SQLITE_DONE)
        rc = fail(store, step, "listing escalations");
    for (size_t i = 0; rc == ESC_OK && i < out->count; i++)
        rc = load_items(store, out->rows[i]);
    return rc;
}

static int sqlite_each_escalation(esc_store *store, esc_store_id_fn fn, void *payload)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_SELECT_IDS, &stmt);
    if (rc != ESC_OK)
        return rc;
    return esc__sqlite_walk_ids(store, stmt, fn, payload);
}

int esc__sqlite_walk_ids(esc_store *store, sqlite3_stmt *stmt, esc_store_id_fn fn, void *payload)
{
    /* The ids are copied out first: the callback reads the database too. */
    int rc = ESC_OK;
    char **ids = NULL;
    size_t count = 0, capacity = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            char **grown = realloc(ids, capacity * sizeof *ids);
            if (grown == NULL) {
                rc = ESC_ENOMEM;
                break;
            }
            ids = grown;
        }
        ids[count] = NULL;
        if (esc__set_text(&ids[count], id ? id : "") != ESC_OK) {
            rc = ESC_ENOMEM;
            break;
        }
        count++;
    }
    sqlite3_reset(stmt);
    if (rc == ESC_ENOMEM)
        rc = esc__error(store->owner, ESC_ENOMEM, "out of memory walking escalations");
    else if (step != SQLITE_DONE)
        rc = fail(store, step, "walking escalations");
    for (size_t i = 0; rc == ESC_OK && i < count; i++)
        rc = fn(ids[i], payload);
    for (size_t i = 0; i < count; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

/* ---- events --------------------------------------------------------------- */

static int sqlite_append_event(esc_store *store, const struct esc_event *e)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_INSERT_EVENT, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, e->escalation_id);
    sqlite3_bind_int64(stmt, 2, e->seq);
    sqlite3_bind_int64(stmt, 3, e->at);
    sqlite3_bind_int(stmt, 4, e->action);
    bind_text(stmt, 5, e->actor_id);
    bind_text(stmt, 6, e->actor_name);
    sqlite3_bind_int(stmt, 7, e->actor_tier);
    sqlite3_bind_int(stmt, 8, e->from_state);
    sqlite3_bind_int(stmt, 9, e->to_state);
    bind_text(stmt, 10, e->payload);
    bind_text(stmt, 11, e->hash);
    int step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    /* (escalation, seq) is the key: a duplicate means a concurrent writer
     * got there first. */
    if ((step & 0xff) == SQLITE_CONSTRAINT)
        return esc__error(store->owner, ESC_ECONFLICT,
                          "event %lld of escalation %s already exists", (long long)e->seq,
                          e->escalation_id);
    return step == SQLITE_DONE ? ESC_OK : fail(store, step, "appending an event");
}

static int sqlite_history(esc_store *store, struct esc_event_list *out, const char *id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = statement(store, ST_SELECT_EVENTS, &stmt);
    if (rc != ESC_OK)
        return rc;
    bind_text(stmt, 1, id);
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct esc_event *e;
        if (esc__event_list_push(out, &e) != ESC_OK) {
            rc = esc__error(store->owner, ESC_ENOMEM, "out of memory reading history");
            break;
        }
        const char *escalation_id = (const char *)sqlite3_column_text(stmt, 0);
        int action = sqlite3_column_int(stmt, 3);
        int from = sqlite3_column_int(stmt, 7), to = sqlite3_column_int(stmt, 8);
        if (escalation_id == NULL || strlen(escalation_id) != 36 || action < 0 ||
            action >= ESC_ACTION_COUNT || from < 0 || from >= ESC_STATE_COUNT || to < 0 ||
            to >= ESC_STATE_COUNT) {
            rc = esc__error(store->owner, ESC_ECORRUPT, "an event of %s holds impossible values", id);
            break;
        }
        memcpy(e->escalation_id, escalation_id, 37);
        e->seq = sqlite3_column_int64(stmt, 1);
        e->at = sqlite3_column_int64(stmt, 2);
        e->action = (esc_action_kind)action;
        e->actor_tier = sqlite3_column_int(stmt, 6);
        e->from_state = (esc_state)from;
        e->to_state = (esc_state)to;
        if (column_text(stmt, 4, &e->actor_id) != ESC_OK ||
            column_text(stmt, 5, &e->actor_name) != ESC_OK ||
            column_text(stmt, 9, &e->payload) != ESC_OK) {
            rc = esc__error(store->owner, ESC_ENOMEM, "out of memory reading history");
            break;
        }
        const char *hash = (const char *)sqlite3_column_text(stmt, 10);
        if (hash != NULL && strlen(hash) < sizeof e->hash)
            memcpy(e->hash, hash, strlen(hash) + 1);
        if (e->actor_id == NULL || e->actor_name == NULL || e->payload == NULL || hash == NULL ||
            strlen(hash) >= sizeof e->hash) {
            rc = esc__error(store->owner, ESC_ECORRUPT, "an event of %s has missing fields", id);
            break;
        }
    }
    sqlite3_reset(stmt);
    if (rc == ESC_OK && step != SQLITE_DONE)
        rc = fail(store, step, "reading history");
    return rc;
}

/* ---- shared with the other store_sqlite_*.c files ----------------------- */

int esc__sqlite_fail(esc_store *store, int rc, const char *doing)
{
    return fail(store, rc, doing);
}

int esc__sqlite_run(esc_store *store, sqlite3_stmt *stmt, const char *doing)
{
    return run(store, stmt, doing);
}

int esc__sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    return bind_text(stmt, index, text);
}

int esc__sqlite_column_text(sqlite3_stmt *stmt, int index, char **slot)
{
    return column_text(stmt, index, slot);
}

void esc__sqlite_bind_access(sqlite3_stmt *stmt, int first, const esc_access *access)
{
    if (access == NULL)
        return;  /* all NULL: everything is visible */
    sqlite3_bind_int(stmt, first, access->tier);
    sqlite3_bind_int(stmt, first + 1, access->confidential_tier);
    bind_text(stmt, first + 2, access->id);
}

int esc__sqlite_read_begin(esc_store *store, int *started)
{
    return sqlite_read_begin(store, started);
}

void esc__sqlite_read_end(esc_store *store, int started)
{
    sqlite_read_end(store, started);
}

const esc_store_ops esc__sqlite_store = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .is_readonly = sqlite_is_readonly,
    .schema_version = sqlite_schema_version,
    .in_batch = sqlite_in_batch,
    .batch_begin = sqlite_batch_begin,
    .batch_commit = sqlite_batch_commit,
    .batch_rollback = sqlite_batch_rollback,
    .read_begin = sqlite_read_begin,
    .read_end = sqlite_read_end,
    .step_begin = sqlite_step_begin,
    .step_commit = sqlite_step_commit,
    .step_rollback = sqlite_step_rollback,
    .load = sqlite_load,
    .load_by_ref = sqlite_load_by_ref,
    .insert = sqlite_insert,
    .update = sqlite_update,
    .replace = sqlite_replace,
    .list = sqlite_list,
    .each_escalation = sqlite_each_escalation,
    .append_event = sqlite_append_event,
    .history = sqlite_history,
    ESC_SQLITE_TIMER_OPS,
};
