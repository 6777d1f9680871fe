/*
 * timer_query.c — reading timers back: the escalations due before an
 * instant, the clocks of one escalation now, and the outbox (fetch and
 * acknowledge, with the entry getters).
 */
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "timers.h"

ESC_EXTERN(int) esc_escalation_list_due(esc_escalation_list **out, esc_db *db, int64_t before,
                                        size_t limit)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    if (before <= 0)
        return esc__error(db, ESC_EINVAL, "before %lld is not after the epoch", (long long)before);
    if (limit > ESC_LIST_LIMIT_MAX)
        return esc__error(db, ESC_EINVAL, "limit %zu is above %d", limit, ESC_LIST_LIMIT_MAX);
    esc_escalation_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    esc_access access;
    rc = db->store_ops->list_due(db->store, list, before, limit, esc__access_of(db, &access));
    if (rc != ESC_OK) {
        esc_escalation_list_free(list);
        return rc;
    }
    *out = list;
    return ESC_OK;
}

ESC_EXTERN(int) esc_escalation_sla(esc_sla_clocks **out, esc_db *db, const esc_escalation *esc,
                                   int64_t now)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    if (esc == NULL)
        return esc__error(db, ESC_EINVAL, "escalation is NULL");
    if ((rc = esc__check_may_read_id(db, esc->id)) != ESC_OK)
        return rc;
    if (esc->sla_policy == NULL)
        return esc__error(db, ESC_ENOTFOUND, "escalation %s has no SLA policy", esc->id);
    struct esc_event_list history = { 0 };
    const esc_sla_policy *pol = NULL;
    int started;
    if ((rc = db->store_ops->read_begin(db->store, &started)) != ESC_OK)
        return rc;
    rc = esc__timers_policy(db, esc, &pol);
    if (rc == ESC_OK)
        rc = db->store_ops->history(db->store, &history, esc->id);
    db->store_ops->read_end(db->store, started);
    if (rc == ESC_OK && history.count == 0)
        rc = esc__error(db, ESC_ENOTFOUND, "no escalation with id %s", esc->id);
    if (rc == ESC_OK) {
        rc = esc_sla_evaluate(out, pol, &history, now);
        if (rc == ESC_EINVAL) {
            char when[ESC_UTC_TEXT_MAX];
            esc__format_utc(when, now);
            esc__error(db, rc, "now (%s) is before the escalation's last event or out of range", when);
        }
        else if (rc != ESC_OK)
            esc__error(db, rc, "the clocks of %s cannot be evaluated: %s", esc->id,
                       esc_status_string(rc));
    }
    esc__event_list_clear(&history);
    return rc;
}

/* ---- the outbox ----------------------------------------------------------- */

int esc__outbox_list_push(struct esc_outbox_list *list, struct esc_outbox_entry **out)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        struct esc_outbox_entry *grown = realloc(list->entries, capacity * sizeof *grown);
        if (grown == NULL)
            return ESC_ENOMEM;
        list->entries = grown;
        list->capacity = capacity;
    }
    *out = &list->entries[list->count++];
    memset(*out, 0, sizeof **out);
    return ESC_OK;
}

void esc__outbox_list_clear(struct esc_outbox_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->entries[i].kind);
        free(list->entries[i].payload);
    }
    free(list->entries);
    memset(list, 0, sizeof *list);
}

ESC_EXTERN(int) esc_outbox_fetch(esc_outbox_list **out, esc_db *db, size_t limit)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK || (rc = esc__check_system(db, "the outbox")) != ESC_OK)
        return rc;
    if (limit > ESC_LIST_LIMIT_MAX)
        return esc__error(db, ESC_EINVAL, "limit %zu is above %d", limit, ESC_LIST_LIMIT_MAX);
    esc_outbox_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    rc = db->store_ops->outbox_fetch(db->store, list, limit);
    if (rc != ESC_OK) {
        esc_outbox_list_free(list);
        return rc;
    }
    *out = list;
    return ESC_OK;
}

ESC_EXTERN(int) esc_outbox_ack(esc_db *db, int64_t entry_id)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (entry_id <= 0)
        return esc__error(db, ESC_EINVAL, "outbox entry id %lld is not positive",
                          (long long)entry_id);
    if ((rc = esc__check_system(db, "the outbox")) != ESC_OK ||
        (rc = esc__check_writable(db)) != ESC_OK)
        return rc;
    int64_t now;
    if ((rc = esc__step_time(db, &now)) != ESC_OK)
        return rc;
    /* A single statement: atomic on its own, or part of an open batch. */
    const esc_store_ops *ops = db->store_ops;
    if ((rc = ops->step_begin(db->store)) != ESC_OK)
        return rc;
    rc = ops->outbox_ack(db->store, entry_id, now);
    if (rc == ESC_OK)
        rc = ops->step_commit(db->store);
    if (rc != ESC_OK)
        ops->step_rollback(db->store);
    return rc;
}

ESC_EXTERN(size_t) esc_outbox_list_count(const esc_outbox_list *list)
{
    return list ? list->count : 0;
}

ESC_EXTERN(const esc_outbox_entry *) esc_outbox_list_get(const esc_outbox_list *list,
                                                         size_t index)
{
    return (list && index < list->count) ? &list->entries[index] : NULL;
}

ESC_EXTERN(void) esc_outbox_list_free(esc_outbox_list *list)
{
    if (list == NULL)
        return;
    esc__outbox_list_clear(list);
    free(list);
}

#define ENTRY_GETTER(type, name, expr, none) \
    ESC_EXTERN(type) esc_outbox_entry_##name(const esc_outbox_entry *entry) \
    { return entry ? (expr) : (none); }

ENTRY_GETTER(int64_t, id, entry->id, 0)
ENTRY_GETTER(const char *, escalation_id, entry->escalation_id, "")
ENTRY_GETTER(int64_t, seq, entry->seq, 0)
ENTRY_GETTER(const char *, kind, entry->kind, "")
ENTRY_GETTER(int64_t, due_at, entry->due_at, 0)
ENTRY_GETTER(int64_t, fired_at, entry->fired_at, 0)
ENTRY_GETTER(const char *, payload, entry->payload, "")
