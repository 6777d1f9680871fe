/*
 * store_sqlite.h — what the files of the SQLite backend share: the
 * connection record with its statement cache, and the small helpers for
 * running bound statements.  store_sqlite.c owns the connection, rows and
 * events; store_sqlite_timers.c owns timers, definitions and the outbox.
 */
#ifndef ESC_STORE_SQLITE_H
#define ESC_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

/* SQL text is assembled at compile time from the model's column lists
 * (model.h): column names are the field names. */
#define COMMA_NAME(name, type) ", " #name
#define COMMA_PLACEHOLDER(name, type) ", ?"
#define COMMA_ASSIGN(name, type) ", " #name " = ?"
#define COMMA_EXCLUDED(name, type) ", " #name " = excluded." #name
#define ESCALATION_COLUMNS ESC_ESCALATION_FIELDS
#define ITEM_COLUMNS ESC_ITEM_FIELDS
/* The derived timer columns follow the replayed ones in every statement. */
#define TIMER_COMMA_NAME(column, member, type) ", " #column
#define TIMER_COMMA_PLACEHOLDER(column, member, type) ", ?"
#define TIMER_COMMA_ASSIGN(column, member, type) ", " #column " = ?"
#define ESCALATION_COLUMN_COUNT \
    ((int)esc__escalation_fields.count + (int)esc__timer_fields.count)
#define ITEM_COLUMN_COUNT ((int)esc__item_fields.count)

#define SELECT_ESCALATION \
    "SELECT id, token" ESCALATION_COLUMNS(COMMA_NAME) ESC_TIMER_FIELDS(TIMER_COMMA_NAME) \
    " FROM escalations "

/* Confidential rows only for eyes that may see them (access.c says who):
 * NULL viewer tier (the host's handle) sees everything.  Parameters from
 * first: the viewer's tier, the confidential tier, the viewer's id. */
#define ESC_SQLITE_MAY_SEE(t, c, v) \
    "(" t " IS NULL OR confidential = 0 OR " t " >= " c " OR owner_id = " v \
    " OR opened_by = " v " OR EXISTS (SELECT 1 FROM items w" \
    " WHERE w.escalation_id = escalations.id AND w.kind = 4 AND w.person_id = " v "))"

/* "What is due before ?1", at most ?2 rows: the partial index on
 * next_timer_at holds only rows with a pending timer (closed ones never
 * have one), so this is a range scan.  Shared with bench/bench_due.c, which
 * checks its plan. */
#define ESC_SQLITE_DUE_WHERE "WHERE next_timer_at > 0 AND next_timer_at <= ?1 "
#define ESC_SQLITE_DUE_TAIL \
    ESC_SQLITE_DUE_WHERE "AND " ESC_SQLITE_MAY_SEE("?3", "?4", "?5") \
    " ORDER BY next_timer_at, id LIMIT ?2"

/* Statement cache slots: the core statements first, then the timer ones. */
#define ESC_SQLITE_CORE_STATEMENTS 32
#define ESC_SQLITE_TIMER_STATEMENTS 24
#define ESC_SQLITE_STATEMENTS (ESC_SQLITE_CORE_STATEMENTS + ESC_SQLITE_TIMER_STATEMENTS)

struct esc_store {
    esc_db *owner;
    sqlite3 *sqlite;
    sqlite3_stmt *statements[ESC_SQLITE_STATEMENTS];
    int readonly;
    int schema_version;
    int in_batch;
};

/* The statement cached in slot_index (preparing sql on first use), reset
 * and unbound. */
int esc__sqlite_prepared(esc_store *store, int slot_index, const char *sql, sqlite3_stmt **out);
/* Step a statement that returns no rows and reset it. */
int esc__sqlite_run(esc_store *store, sqlite3_stmt *stmt, const char *doing);
/* Record an SQLite failure on the owning handle; returns the ESC_E* code. */
int esc__sqlite_fail(esc_store *store, int rc, const char *doing);
int esc__sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text);
int esc__sqlite_column_text(sqlite3_stmt *stmt, int index, char **slot);
int esc__sqlite_read_begin(esc_store *store, int *started);
/* Bind an access (or NULLs for none) at parameters first .. first + 2, the
 * order ESC_SQLITE_MAY_SEE takes them. */
void esc__sqlite_bind_access(sqlite3_stmt *stmt, int first, const esc_access *access);
void esc__sqlite_read_end(esc_store *store, int started);
/* Read every escalation row a bound statement yields, then their items. */
int esc__sqlite_read_rows(esc_store *store, sqlite3_stmt *stmt, struct esc_escalation_list *out);
/* Collect the ids (first column) a bound statement yields, then call fn on each. */
int esc__sqlite_walk_ids(esc_store *store, sqlite3_stmt *stmt, esc_store_id_fn fn, void *payload);

/* store_sqlite_timers.c */
int esc__sqlite_set_timers(esc_store *store, const esc_escalation *esc);
int esc__sqlite_list_due(esc_store *store, struct esc_escalation_list *out, int64_t before,
                         size_t limit, const esc_access *access);
int esc__sqlite_due_page(esc_store *store, int64_t before, const esc_due_key *after,
                         esc_due_key *out, size_t max, size_t *count);
int esc__sqlite_each_open_with_policy(esc_store *store, const char *policy, esc_store_id_fn fn,
                                      void *payload);
int esc__sqlite_each_open_with_calendar(esc_store *store, const char *calendar,
                                        esc_store_id_fn fn, void *payload);
int esc__sqlite_definition_get(esc_store *store, esc_definition_kind kind, const char *name,
                               int64_t version, struct esc_definition *out);
int esc__sqlite_definition_put(esc_store *store, esc_definition_kind kind,
                               const struct esc_definition *def);
int esc__sqlite_outbox_add(esc_store *store, const struct esc_outbox_entry *entry);
int esc__sqlite_outbox_fetch(esc_store *store, struct esc_outbox_list *out, size_t limit);
int esc__sqlite_outbox_ack(esc_store *store, int64_t id, int64_t now);

#define ESC_SQLITE_TIMER_OPS \
    .set_timers = esc__sqlite_set_timers, \
    .list_due = esc__sqlite_list_due, \
    .due_page = esc__sqlite_due_page, \
    .each_open_with_policy = esc__sqlite_each_open_with_policy, \
    .each_open_with_calendar = esc__sqlite_each_open_with_calendar, \
    .definition_get = esc__sqlite_definition_get, \
    .definition_put = esc__sqlite_definition_put, \
    .outbox_add = esc__sqlite_outbox_add, \
    .outbox_fetch = esc__sqlite_outbox_fetch, \
    .outbox_ack = esc__sqlite_outbox_ack

#endif /* ESC_STORE_SQLITE_H */
