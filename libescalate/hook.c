/*
 * hook.c — the host's event hook: each committed event is handed to it
 * exactly once, and only once it is durable.  Events of a batch wait in the
 * handle until the batch commits, and are dropped if it does not.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

ESC_EXTERN(int) esc_db_set_event_hook(esc_db *db, esc_event_hook_fn hook, void *payload)
{
    if (db == NULL)
        return ESC_EINVAL;
    esc__clear_error(db);
    db->event_hook = hook;
    db->event_hook_payload = payload;
    return ESC_OK;
}

static int copy_event(struct esc_event *dst, const struct esc_event *src)
{
    *dst = *src;
    dst->actor_id = dst->actor_name = dst->payload = NULL;
    if (esc__set_text(&dst->actor_id, src->actor_id) != ESC_OK ||
        esc__set_text(&dst->actor_name, src->actor_name) != ESC_OK ||
        esc__set_text(&dst->payload, src->payload) != ESC_OK) {
        esc__event_clear(dst);
        return ESC_ENOMEM;
    }
    return ESC_OK;
}

int esc__event_queue(esc_db *db, const struct esc_event *event)
{
    if (db->event_hook == NULL)
        return ESC_OK;
    if (db->pending_events == NULL) {
        db->pending_events = calloc(1, sizeof *db->pending_events);
        if (db->pending_events == NULL)
            return esc__error(db, ESC_ENOMEM, "out of memory queueing an event");
    }
    struct esc_event *slot;
    if (esc__event_list_push(db->pending_events, &slot) != ESC_OK)
        return esc__error(db, ESC_ENOMEM, "out of memory queueing an event");
    if (copy_event(slot, event) != ESC_OK) {
        db->pending_events->count--;
        return esc__error(db, ESC_ENOMEM, "out of memory queueing an event");
    }
    return ESC_OK;
}

void esc__event_unqueue_last(esc_db *db)
{
    if (db->pending_events == NULL || db->pending_events->count == 0)
        return;
    esc__event_clear(&db->pending_events->events[--db->pending_events->count]);
}

void esc__event_deliver(esc_db *db, const struct esc_event *event)
{
    if (db->event_hook != NULL)
        db->event_hook(event, db->event_hook_payload);
}

void esc__events_deliver(esc_db *db)
{
    struct esc_event_list *pending = db->pending_events;
    if (pending == NULL)
        return;
    /* Detach first: a hook that fails cannot make an event arrive twice. */
    db->pending_events = NULL;
    for (size_t i = 0; db->event_hook != NULL && i < pending->count; i++)
        db->event_hook(&pending->events[i], db->event_hook_payload);
    esc__event_list_clear(pending);
    free(pending);
}

void esc__events_discard(esc_db *db)
{
    if (db->pending_events == NULL)
        return;
    esc__event_list_clear(db->pending_events);
    free(db->pending_events);
    db->pending_events = NULL;
}
