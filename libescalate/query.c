/*
 * query.c — reading many at once: filtered lists of escalations and the
 * event history of one, with the public accessors of both.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "text.h"

/* ---- containers ----------------------------------------------------------- */

/* Grow a container by one slot; elements are zeroed. */
static int grow(void **elements, size_t *capacity, size_t count, size_t size)
{
    if (count < *capacity)
        return ESC_OK;
    size_t wanted = *capacity ? *capacity * 2 : 16;
    void *grown = realloc(*elements, wanted * size);
    if (grown == NULL)
        return ESC_ENOMEM;
    memset((char *)grown + *capacity * size, 0, (wanted - *capacity) * size);
    *elements = grown;
    *capacity = wanted;
    return ESC_OK;
}

int esc__escalation_list_push(struct esc_escalation_list *list, esc_escalation *esc)
{
    if (grow((void **)&list->rows, &list->capacity, list->count, sizeof *list->rows) != ESC_OK)
        return ESC_ENOMEM;
    list->rows[list->count++] = esc;
    return ESC_OK;
}

int esc__event_list_push(struct esc_event_list *list, struct esc_event **out)
{
    if (grow((void **)&list->events, &list->capacity, list->count, sizeof *list->events) != ESC_OK)
        return ESC_ENOMEM;
    *out = &list->events[list->count++];
    return ESC_OK;
}

void esc__event_clear(struct esc_event *event)
{
    free(event->actor_id);
    free(event->actor_name);
    free(event->payload);
    memset(event, 0, sizeof *event);
}

/* ---- lists ---------------------------------------------------------------- */

ESC_EXTERN(int) esc_filter_init(esc_filter *filter, unsigned int version)
{
    if (filter == NULL || version != ESC_FILTER_VERSION)
        return ESC_EINVAL;
    esc_filter initial = ESC_FILTER_INIT;
    *filter = initial;
    return ESC_OK;
}

static int check_optional_text(esc_db *db, const char *value, const char *what)
{
    if (value == NULL)
        return ESC_OK;
    esc_text_verdict verdict = esc__text_check(value, ESC_TEXT_SHORT);
    if (verdict != ESC_TEXT_OK)
        return esc__error(db, ESC_EINVAL, "filter %s %s", what, esc__text_verdict_words(verdict));
    return ESC_OK;
}

static int check_filter(esc_db *db, const esc_filter *f)
{
    int rc;
    if (f->version != ESC_FILTER_VERSION)
        return esc__error(db, ESC_EINVAL, "filter version %u is unknown", f->version);
    if (f->state < -1 || f->state >= ESC_STATE_COUNT)
        return esc__error(db, ESC_EINVAL, "filter state %d is out of range", f->state);
    if (f->tier != -1 && (f->tier < 1 || f->tier > ESC_TIER_MAX))
        return esc__error(db, ESC_EINVAL, "filter tier %d is out of range", f->tier);
    if (f->priority != -1 && (f->priority < 1 || f->priority > 5))
        return esc__error(db, ESC_EINVAL, "filter priority %d is out of range", f->priority);
    if (f->open < ESC_FILTER_ANY || f->open > ESC_FILTER_CLOSED)
        return esc__error(db, ESC_EINVAL, "filter open/closed value %d is out of range", f->open);
    if ((int)f->order < ESC_ORDER_PRIORITY || f->order > ESC_ORDER_CREATED)
        return esc__error(db, ESC_EINVAL, "filter order %d is out of range", (int)f->order);
    if (f->limit > ESC_LIST_LIMIT_MAX)
        return esc__error(db, ESC_EINVAL, "filter limit %zu is above %d", f->limit,
                          ESC_LIST_LIMIT_MAX);
    if (f->offset > (size_t)INT64_MAX)
        return esc__error(db, ESC_EINVAL, "filter offset is too large");
    if ((rc = check_optional_text(db, f->owner_id, "owner")) != ESC_OK ||
        (rc = check_optional_text(db, f->tag, "tag")) != ESC_OK ||
        (rc = check_optional_text(db, f->customer_id, "customer")) != ESC_OK)
        return rc;
    return ESC_OK;
}

ESC_EXTERN(int) esc_escalation_list_query(esc_escalation_list **out, esc_db *db,
                                          const esc_filter *filter)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    esc_filter everything = ESC_FILTER_INIT;
    if (filter == NULL)
        filter = &everything;
    if ((rc = check_filter(db, filter)) != ESC_OK)
        return rc;
    esc_escalation_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    esc_access access;
    rc = db->store_ops->list(db->store, list, filter, esc__access_of(db, &access));
    if (rc != ESC_OK) {
        esc_escalation_list_free(list);
        return rc;
    }
    *out = list;
    return ESC_OK;
}

ESC_EXTERN(size_t) esc_escalation_list_count(const esc_escalation_list *list)
{
    return list ? list->count : 0;
}

ESC_EXTERN(const esc_escalation *) esc_escalation_list_get(const esc_escalation_list *list,
                                                           size_t index)
{
    return (list && index < list->count) ? list->rows[index] : NULL;
}

ESC_EXTERN(void) esc_escalation_list_free(esc_escalation_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        esc_escalation_free(list->rows[i]);
    free(list->rows);
    free(list);
}

/* ---- history -------------------------------------------------------------- */

void esc__event_list_clear(struct esc_event_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        esc__event_clear(&list->events[i]);
    free(list->events);
    memset(list, 0, sizeof *list);
}

ESC_EXTERN(int) esc_history(esc_event_list **out, esc_db *db, const char *escalation_id)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    if ((rc = esc__check_key(db, escalation_id, "escalation id")) != ESC_OK)
        return rc;
    if ((rc = esc__check_may_read_id(db, escalation_id)) != ESC_OK && rc != ESC_ENOTFOUND)
        return rc;
    esc_event_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    rc = db->store_ops->history(db->store, list, escalation_id);
    if (rc == ESC_OK && list->count == 0)
        rc = esc__error(db, ESC_ENOTFOUND, "no escalation with id %s", escalation_id);
    if (rc != ESC_OK) {
        esc_event_list_free(list);
        return rc;
    }
    *out = list;
    return ESC_OK;
}

ESC_EXTERN(size_t) esc_event_list_count(const esc_event_list *list)
{
    return list ? list->count : 0;
}

ESC_EXTERN(const esc_event *) esc_event_list_get(const esc_event_list *list, size_t index)
{
    return (list && index < list->count) ? &list->events[index] : NULL;
}

ESC_EXTERN(void) esc_event_list_free(esc_event_list *list)
{
    if (list == NULL)
        return;
    esc__event_list_clear(list);
    free(list);
}

#define EVENT_VALUE_GETTER(type, name, field) \
    ESC_EXTERN(type) esc_event_##name(const esc_event *event) \
    { return event ? event->field : (type)0; }
#define EVENT_TEXT_GETTER(name) \
    ESC_EXTERN(const char *) esc_event_##name(const esc_event *event) \
    { return event && event->name ? event->name : ""; }

ESC_EXTERN(const char *) esc_event_escalation_id(const esc_event *event)
{
    return event ? event->escalation_id : "";
}

ESC_EXTERN(const char *) esc_event_hash(const esc_event *event)
{
    return event ? event->hash : "";
}

EVENT_VALUE_GETTER(int64_t, seq, seq)
EVENT_VALUE_GETTER(int64_t, at, at)
EVENT_VALUE_GETTER(esc_action_kind, action, action)
EVENT_VALUE_GETTER(int, actor_tier, actor_tier)
EVENT_VALUE_GETTER(esc_state, from_state, from_state)
EVENT_VALUE_GETTER(esc_state, to_state, to_state)
EVENT_TEXT_GETTER(actor_id)
EVENT_TEXT_GETTER(actor_name)
EVENT_TEXT_GETTER(payload)
