/*
 * store_sqlite_timers.c — the SQLite side of timers: the derived timer
 * columns and the index-driven "what is due" reads, stored calendar and
 * policy versions, and the outbox table.  Fixed, bound SQL only.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

typedef enum timer_statement {
    TS_SET_TIMERS = ESC_SQLITE_CORE_STATEMENTS,
    TS_LIST_DUE,
    TS_DUE_IDS,
    TS_OPEN_WITH_POLICY,
    TS_OPEN_WITH_CALENDAR,
    TS_CALENDAR_LATEST,
    TS_CALENDAR_VERSION,
    TS_POLICY_LATEST,
    TS_POLICY_VERSION,
    TS_CALENDAR_INSERT,
    TS_POLICY_INSERT,
    TS_OUTBOX_INSERT,
    TS_OUTBOX_FETCH,
    TS_OUTBOX_ACK,
    TS_OUTBOX_EXISTS,
    TS_END
} timer_statement;

_Static_assert(TS_END <= ESC_SQLITE_STATEMENTS, "raise ESC_SQLITE_TIMER_STATEMENTS");


static const char *const timer_sql[TS_END - ESC_SQLITE_CORE_STATEMENTS] = {
#define AT(id) [(id) - ESC_SQLITE_CORE_STATEMENTS]
    /* "version = version" only opens the list that the column macro continues. */
    AT(TS_SET_TIMERS) = "UPDATE escalations SET version = version" ESC_TIMER_FIELDS(TIMER_COMMA_ASSIGN)
                        " WHERE id = ? AND version = ? AND token = ?",
    AT(TS_LIST_DUE) = SELECT_ESCALATION ESC_SQLITE_DUE_TAIL,
    AT(TS_DUE_IDS) = "SELECT id, next_timer_at FROM escalations " ESC_SQLITE_DUE_WHERE
                     "AND (next_timer_at > ?2 OR (next_timer_at = ?2 AND id > ?3))"
                     " ORDER BY next_timer_at, id LIMIT ?4",
    AT(TS_OPEN_WITH_POLICY) = "SELECT id FROM escalations"
                              " WHERE sla_policy = ? AND sla_policy IS NOT NULL AND state <> 6"
                              " ORDER BY id",
    AT(TS_OPEN_WITH_CALENDAR) = "SELECT id FROM escalations"
                                " WHERE sla_policy IS NOT NULL AND state <> 6 AND sla_policy IN"
                                " (SELECT DISTINCT name FROM policies WHERE calendar = ?)"
                                " ORDER BY id",
    AT(TS_CALENDAR_LATEST) = "SELECT name, version, spec, NULL, created_at FROM calendars"
                             " WHERE name = ? ORDER BY version DESC LIMIT 1",
    AT(TS_CALENDAR_VERSION) = "SELECT name, version, spec, NULL, created_at FROM calendars"
                              " WHERE name = ? AND version = ?",
    AT(TS_POLICY_LATEST) = "SELECT name, version, spec, calendar, created_at FROM policies"
                           " WHERE name = ? ORDER BY version DESC LIMIT 1",
    AT(TS_POLICY_VERSION) = "SELECT name, version, spec, calendar, created_at FROM policies"
                            " WHERE name = ? AND version = ?",
    AT(TS_CALENDAR_INSERT) = "INSERT INTO calendars (name, version, spec, created_at)"
                             " VALUES (?, ?, ?, ?)",
    AT(TS_POLICY_INSERT) = "INSERT INTO policies (name, version, spec, calendar, created_at)"
                           " VALUES (?, ?, ?, ?, ?)",
    AT(TS_OUTBOX_INSERT) = "INSERT INTO outbox (escalation_id, seq, kind, due_at, fired_at, payload)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
    AT(TS_OUTBOX_FETCH) = "SELECT id, escalation_id, seq, kind, due_at, fired_at, payload"
                          " FROM outbox WHERE acked_at = 0 ORDER BY id LIMIT ?",
    AT(TS_OUTBOX_ACK) = "UPDATE outbox SET acked_at = ? WHERE id = ? AND acked_at = 0",
    AT(TS_OUTBOX_EXISTS) = "SELECT 1 FROM outbox WHERE id = ?",
#undef AT
};

static int timer_statement_get(esc_store *store, timer_statement id, sqlite3_stmt **out)
{
    return esc__sqlite_prepared(store, id, timer_sql[id - ESC_SQLITE_CORE_STATEMENTS], out);
}

/* ---- timer columns and due rows ------------------------------------------- */

int esc__sqlite_set_timers(esc_store *store, const esc_escalation *esc)
{
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, TS_SET_TIMERS, &stmt);
    if (rc != ESC_OK)
        return rc;
    int index = 1;
    for (size_t i = 0; i < esc__timer_fields.count; i++)
        sqlite3_bind_int64(stmt, index++,
                           *(const int64_t *)((const char *)esc + esc__timer_fields.fields[i].offset));
    esc__sqlite_bind_text(stmt, index++, esc->id);
    sqlite3_bind_int64(stmt, index++, esc->version);
    sqlite3_bind_int64(stmt, index, esc->token);
    if ((rc = esc__sqlite_run(store, stmt, "writing timers")) != ESC_OK)
        return rc;
    if (sqlite3_changes(store->sqlite) == 0)
        return esc__error(store->owner, ESC_ECONFLICT,
                          "escalation %s changed while its timers were computed", esc->id);
    return ESC_OK;
}

static sqlite3_int64 limit_or_default(size_t limit)
{
    return (sqlite3_int64)(limit ? limit : 100);
}

int esc__sqlite_list_due(esc_store *store, struct esc_escalation_list *out, int64_t before,
                         size_t limit, const esc_access *access)
{
    int started;
    int rc = esc__sqlite_read_begin(store, &started);
    sqlite3_stmt *stmt = NULL;
    if (rc == ESC_OK && (rc = timer_statement_get(store, TS_LIST_DUE, &stmt)) == ESC_OK) {
        sqlite3_bind_int64(stmt, 1, before);
        sqlite3_bind_int64(stmt, 2, limit_or_default(limit));
        esc__sqlite_bind_access(stmt, 3, access);
        rc = esc__sqlite_read_rows(store, stmt, out);
    }
    esc__sqlite_read_end(store, started);
    return rc;
}

int esc__sqlite_due_page(esc_store *store, int64_t before, const esc_due_key *after,
                         esc_due_key *out, size_t max, size_t *count)
{
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, TS_DUE_IDS, &stmt);
    if (rc != ESC_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, before);
    sqlite3_bind_int64(stmt, 2, after ? after->at : 0);
    esc__sqlite_bind_text(stmt, 3, after ? after->id : "");
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)max);
    int step = SQLITE_DONE;
    while (*count < max && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        if (id == NULL || strlen(id) != 36) {
            sqlite3_reset(stmt);
            return esc__error(store->owner, ESC_ECORRUPT, "an escalation has a malformed id");
        }
        memcpy(out[*count].id, id, 37);
        out[*count].at = sqlite3_column_int64(stmt, 1);
        (*count)++;
    }
    if (*count < max && step != SQLITE_DONE)
        rc = esc__sqlite_fail(store, step, "finding due escalations");
    sqlite3_reset(stmt);
    return rc;
}

static int each_open_with(esc_store *store, timer_statement id, const char *name,
                          esc_store_id_fn fn, void *payload)
{
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, id, &stmt);
    if (rc != ESC_OK)
        return rc;
    esc__sqlite_bind_text(stmt, 1, name);
    return esc__sqlite_walk_ids(store, stmt, fn, payload);
}

int esc__sqlite_each_open_with_policy(esc_store *store, const char *policy, esc_store_id_fn fn,
                                      void *payload)
{
    return each_open_with(store, TS_OPEN_WITH_POLICY, policy, fn, payload);
}

int esc__sqlite_each_open_with_calendar(esc_store *store, const char *calendar,
                                        esc_store_id_fn fn, void *payload)
{
    return each_open_with(store, TS_OPEN_WITH_CALENDAR, calendar, fn, payload);
}

/* ---- stored definitions --------------------------------------------------- */

void esc__definition_clear(struct esc_definition *def)
{
    free(def->name);
    free(def->spec);
    free(def->calendar);
    memset(def, 0, sizeof *def);
}

static int read_definition(esc_store *store, sqlite3_stmt *stmt, struct esc_definition *out)
{
    out->version = sqlite3_column_int64(stmt, 1);
    out->created_at = sqlite3_column_int64(stmt, 4);
    if (esc__sqlite_column_text(stmt, 0, &out->name) != ESC_OK ||
        esc__sqlite_column_text(stmt, 2, &out->spec) != ESC_OK ||
        esc__sqlite_column_text(stmt, 3, &out->calendar) != ESC_OK)
        return esc__error(store->owner, ESC_ENOMEM, "out of memory reading a definition");
    if (out->name == NULL || out->spec == NULL || out->version < 1)
        return esc__error(store->owner, ESC_ECORRUPT, "a stored definition has missing fields");
    return ESC_OK;
}

int esc__sqlite_definition_get(esc_store *store, esc_definition_kind kind, const char *name,
                               int64_t version, struct esc_definition *out)
{
    static const timer_statement by[2][2] = {
        [ESC_DEFINITION_CALENDAR] = { TS_CALENDAR_LATEST, TS_CALENDAR_VERSION },
        [ESC_DEFINITION_POLICY] = { TS_POLICY_LATEST, TS_POLICY_VERSION },
    };
    const char *what = kind == ESC_DEFINITION_CALENDAR ? "calendar" : "policy";
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, by[kind][version > 0], &stmt);
    if (rc != ESC_OK)
        return rc;
    esc__sqlite_bind_text(stmt, 1, name);
    if (version > 0)
        sqlite3_bind_int64(stmt, 2, version);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        rc = read_definition(store, stmt, out);
    else if (step == SQLITE_DONE && version > 0)
        rc = esc__error(store->owner, ESC_ENOTFOUND, "no version %lld of the stored %s %s",
                        (long long)version, what, name);
    else if (step == SQLITE_DONE)
        rc = esc__error(store->owner, ESC_ENOTFOUND, "no stored %s called %s", what, name);
    else
        rc = esc__sqlite_fail(store, step, "reading a stored definition");
    sqlite3_reset(stmt);
    return rc;
}

int esc__sqlite_definition_put(esc_store *store, esc_definition_kind kind,
                               const struct esc_definition *def)
{
    sqlite3_stmt *stmt = NULL;
    int policy = kind == ESC_DEFINITION_POLICY;
    int rc = timer_statement_get(store, policy ? TS_POLICY_INSERT : TS_CALENDAR_INSERT, &stmt);
    if (rc != ESC_OK)
        return rc;
    int index = 1;
    esc__sqlite_bind_text(stmt, index++, def->name);
    sqlite3_bind_int64(stmt, index++, def->version);
    esc__sqlite_bind_text(stmt, index++, def->spec);
    if (policy)
        esc__sqlite_bind_text(stmt, index++, def->calendar);
    sqlite3_bind_int64(stmt, index, def->created_at);
    int step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if ((step & 0xff) == SQLITE_CONSTRAINT)
        return esc__error(store->owner, ESC_ECONFLICT,
                          "version %lld of %s was stored by another writer meanwhile",
                          (long long)def->version, def->name);
    return step == SQLITE_DONE ? ESC_OK : esc__sqlite_fail(store, step, "storing a definition");
}

/* ---- the outbox ----------------------------------------------------------- */

int esc__sqlite_outbox_add(esc_store *store, const struct esc_outbox_entry *e)
{
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, TS_OUTBOX_INSERT, &stmt);
    if (rc != ESC_OK)
        return rc;
    esc__sqlite_bind_text(stmt, 1, e->escalation_id);
    sqlite3_bind_int64(stmt, 2, e->seq);
    esc__sqlite_bind_text(stmt, 3, e->kind);
    sqlite3_bind_int64(stmt, 4, e->due_at);
    sqlite3_bind_int64(stmt, 5, e->fired_at);
    esc__sqlite_bind_text(stmt, 6, e->payload);
    return esc__sqlite_run(store, stmt, "writing to the outbox");
}

static int read_entry(esc_store *store, sqlite3_stmt *stmt, struct esc_outbox_entry *e)
{
    const char *id = (const char *)sqlite3_column_text(stmt, 1);
    if (id == NULL || strlen(id) != 36)
        return esc__error(store->owner, ESC_ECORRUPT, "an outbox entry has a malformed id");
    memcpy(e->escalation_id, id, 37);
    e->id = sqlite3_column_int64(stmt, 0);
    e->seq = sqlite3_column_int64(stmt, 2);
    e->due_at = sqlite3_column_int64(stmt, 4);
    e->fired_at = sqlite3_column_int64(stmt, 5);
    if (esc__sqlite_column_text(stmt, 3, &e->kind) != ESC_OK ||
        esc__sqlite_column_text(stmt, 6, &e->payload) != ESC_OK)
        return esc__error(store->owner, ESC_ENOMEM, "out of memory reading the outbox");
    if (e->kind == NULL || e->payload == NULL)
        return esc__error(store->owner, ESC_ECORRUPT, "an outbox entry has missing fields");
    return ESC_OK;
}

int esc__sqlite_outbox_fetch(esc_store *store, struct esc_outbox_list *out, size_t limit)
{
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, TS_OUTBOX_FETCH, &stmt);
    if (rc != ESC_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, limit_or_default(limit));
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct esc_outbox_entry *e;
        if (esc__outbox_list_push(out, &e) != ESC_OK) {
            rc = esc__error(store->owner, ESC_ENOMEM, "out of memory reading the outbox");
            break;
        }
        if ((rc = read_entry(store, stmt, e)) != ESC_OK)
            break;
    }
    sqlite3_reset(stmt);
    if (rc == ESC_OK && step != SQLITE_DONE)
        rc = esc__sqlite_fail(store, step, "reading the outbox");
    return rc;
}

int esc__sqlite_outbox_ack(esc_store *store, int64_t id, int64_t now)
{
    sqlite3_stmt *stmt = NULL;
    int rc = timer_statement_get(store, TS_OUTBOX_ACK, &stmt);
    if (rc != ESC_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, now > 0 ? now : 1);
    sqlite3_bind_int64(stmt, 2, id);
    if ((rc = esc__sqlite_run(store, stmt, "acknowledging an outbox entry")) != ESC_OK)
        return rc;
    if (sqlite3_changes(store->sqlite) > 0)
        return ESC_OK;
    /* Nothing changed: acknowledged before (fine), or no such entry. */
    if ((rc = timer_statement_get(store, TS_OUTBOX_EXISTS, &stmt)) != ESC_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    int step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_ROW)
        return ESC_OK;
    if (step == SQLITE_DONE)
        return esc__error(store->owner, ESC_ENOTFOUND, "no outbox entry %lld", (long long)id);
    return esc__sqlite_fail(store, step, "reading the outbox");
}
