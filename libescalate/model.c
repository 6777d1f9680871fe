/*
 * model.c — life of the in-memory escalation: allocation, deep copies,
 * items, and the derived "due" time.  Also the public read-only getters,
 * which are nothing but views of these structs.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int esc__set_text(char **slot, const char *text)
{
    char *copy = NULL;
    if (text != NULL) {
        size_t size = strlen(text) + 1;
        copy = malloc(size);
        if (copy == NULL)
            return ESC_ENOMEM;
        memcpy(copy, text, size);
    }
    free(*slot);
    *slot = copy;
    return ESC_OK;
}

esc_escalation *esc__escalation_new(void)
{
    return calloc(1, sizeof(esc_escalation));
}

#define FIELD_ENTRY(record, name, type) \
    { #name, ESC_FIELD_##type, offsetof(record, name) },
#define ESCALATION_FIELD(name, type) FIELD_ENTRY(esc_escalation, name, type)
#define ITEM_FIELD(name, type) FIELD_ENTRY(esc_item, name, type)

static const esc_field escalation_fields[] = { ESC_ESCALATION_FIELDS(ESCALATION_FIELD) };
static const esc_field item_fields[] = { ESC_ITEM_FIELDS(ITEM_FIELD) };
#define TIMER_FIELD(column, member, type) \
    { #column, ESC_FIELD_##type, offsetof(esc_escalation, member) },
static const esc_field timer_fields[] = { ESC_TIMER_FIELDS(TIMER_FIELD) };

const esc_field_list esc__escalation_fields = {
    escalation_fields, sizeof escalation_fields / sizeof escalation_fields[0]
};
const esc_field_list esc__item_fields = { item_fields, sizeof item_fields / sizeof item_fields[0] };
const esc_field_list esc__timer_fields = {
    timer_fields, sizeof timer_fields / sizeof timer_fields[0]
};

static char **text_field(const void *record, const esc_field *field)
{
    return (char **)((const char *)record + field->offset);
}

static void free_texts(void *record, const esc_field_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->fields[i].type == ESC_FIELD_TEXT)
            free(*text_field(record, &list->fields[i]));
}

/* After a shallow copy, give dst its own copies of every text.  On failure
 * the texts not yet copied are NULL, so dst can be freed safely. */
static int copy_texts(void *dst, const void *src, const esc_field_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->fields[i].type == ESC_FIELD_TEXT)
            *text_field(dst, &list->fields[i]) = NULL;
    for (size_t i = 0; i < list->count; i++)
        if (list->fields[i].type == ESC_FIELD_TEXT &&
            esc__set_text(text_field(dst, &list->fields[i]), *text_field(src, &list->fields[i])) != ESC_OK)
            return ESC_ENOMEM;
    return ESC_OK;
}

/* 0 when every field is equal; else 1 and the first difference in what.
 * An unset text and "" are the same thing to a reader. */
static int diff_fields(const void *a, const void *b, const esc_field_list *list,
                       const char *prefix, char *what, size_t size)
{
    for (size_t i = 0; i < list->count; i++) {
        const esc_field *f = &list->fields[i];
        const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;
        switch (f->type) {
        case ESC_FIELD_TEXT: {
            const char *ta = *(char *const *)pa ? *(char *const *)pa : "";
            const char *tb = *(char *const *)pb ? *(char *const *)pb : "";
            if (strcmp(ta, tb) != 0) {
                snprintf(what, size, "%s%s: stored \"%.60s\", replayed \"%.60s\"", prefix,
                         f->name, ta, tb);
                return 1;
            }
            break;
        }
        case ESC_FIELD_INT:
            if (*(const int *)pa != *(const int *)pb) {
                snprintf(what, size, "%s%s: stored %d, replayed %d", prefix, f->name,
                         *(const int *)pa, *(const int *)pb);
                return 1;
            }
            break;
        case ESC_FIELD_INT64:
            if (*(const int64_t *)pa != *(const int64_t *)pb) {
                snprintf(what, size, "%s%s: stored %lld, replayed %lld", prefix, f->name,
                         (long long)*(const int64_t *)pa, (long long)*(const int64_t *)pb);
                return 1;
            }
            break;
        }
    }
    return 0;
}

int esc__escalation_diff(const esc_escalation *a, const esc_escalation *b, char *what,
                         size_t size)
{
    if (strcmp(a->id, b->id) != 0) {
        snprintf(what, size, "id: stored %s, replayed %s", a->id, b->id);
        return 1;
    }
    if (diff_fields(a, b, &esc__escalation_fields, "", what, size) ||
        diff_fields(a, b, &esc__timer_fields, "", what, size))
        return 1;
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        const esc_item_array *ia = &a->items[k], *ib = &b->items[k];
        if (ia->count != ib->count) {
            snprintf(what, size, "%s items: stored %zu, replayed %zu",
                     esc_item_kind_name((esc_item_kind)k), ia->count, ib->count);
            return 1;
        }
        for (size_t i = 0; i < ia->count; i++) {
            char prefix[48];
            snprintf(prefix, sizeof prefix, "%s %zu ", esc_item_kind_name((esc_item_kind)k), i + 1);
            if (diff_fields(&ia->items[i], &ib->items[i], &esc__item_fields, prefix, what, size))
                return 1;
        }
    }
    return 0;
}

void esc__item_clear(esc_item *item)
{
    free_texts(item, &esc__item_fields);
    memset(item, 0, sizeof *item);
}

void esc__escalation_clear(esc_escalation *esc)
{
    if (esc == NULL)
        return;
    free_texts(esc, &esc__escalation_fields);
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        for (size_t i = 0; i < esc->items[k].count; i++)
            esc__item_clear(&esc->items[k].items[i]);
        free(esc->items[k].items);
    }
    memset(esc, 0, sizeof *esc);
}

int esc__item_copy(esc_item *dst, const esc_item *src)
{
    *dst = *src;
    if (copy_texts(dst, src, &esc__item_fields) != ESC_OK) {
        esc__item_clear(dst);
        return ESC_ENOMEM;
    }
    return ESC_OK;
}

int esc__escalation_copy(esc_escalation *dst, const esc_escalation *src)
{
    esc__escalation_clear(dst);
    *dst = *src;
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        memset(&dst->items[k], 0, sizeof dst->items[k]);
    if (copy_texts(dst, src, &esc__escalation_fields) != ESC_OK)
        goto nomem;
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        const esc_item_array *from = &src->items[k];
        if (from->count == 0)
            continue;
        esc_item_array *to = &dst->items[k];
        to->items = calloc(from->count, sizeof(esc_item));
        if (to->items == NULL)
            goto nomem;
        to->capacity = from->count;
        for (size_t i = 0; i < from->count; i++) {
            if (esc__item_copy(&to->items[i], &from->items[i]) != ESC_OK)
                goto nomem;
            to->count++;
        }
    }
    return ESC_OK;
nomem:
    esc__escalation_clear(dst);
    return ESC_ENOMEM;
}

int esc__item_append(esc_escalation *esc, esc_item_kind kind, esc_item **out)
{
    esc_item_array *array = &esc->items[kind];
    if (array->count == array->capacity) {
        size_t capacity = array->capacity ? array->capacity * 2 : 4;
        esc_item *grown = realloc(array->items, capacity * sizeof(esc_item));
        if (grown == NULL)
            return ESC_ENOMEM;
        array->items = grown;
        array->capacity = capacity;
    }
    esc_item *item = &array->items[array->count];
    memset(item, 0, sizeof *item);
    item->kind = kind;
    item->number = (int)array->count + 1;
    item->dirty = 1;
    array->count++;
    *out = item;
    return ESC_OK;
}

esc_item *esc__item_find(esc_escalation *esc, esc_item_kind kind, int number)
{
    esc_item_array *array = &esc->items[kind];
    if (number < 1 || (size_t)number > array->count)
        return NULL;
    return &array->items[number - 1];
}

void esc__items_mark_clean(esc_escalation *esc)
{
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        for (size_t i = 0; i < esc->items[k].count; i++)
            esc->items[k].items[i].dirty = 0;
}

void esc__escalation_update_due(esc_escalation *esc)
{
    int64_t due = 0;
    /* A promise is pending until the resolution is recorded; follow-ups
     * until they are completed.  Closed escalations owe nothing. */
    if (esc->state != ESC_STATE_CLOSED) {
        if (esc->promised_at > esc->reminded_until && esc->state <= ESC_STATE_OWN)
            due = esc->promised_at;
        const esc_item_array *follow_ups = &esc->items[ESC_ITEM_FOLLOW_UP];
        for (size_t i = 0; i < follow_ups->count; i++) {
            const esc_item *f = &follow_ups->items[i];
            if (f->status == ESC_ITEM_OPEN && f->at > esc->reminded_until && (due == 0 || f->at < due))
                due = f->at;
        }
    }
    esc->due_at = due;
}

/* ---- public getters ---------------------------------------------------- */

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

ESC_EXTERN(void) esc_escalation_free(esc_escalation *esc)
{
    esc__escalation_clear(esc);
    free(esc);
}

ESC_EXTERN(int) esc_escalation_dup(esc_escalation **out, const esc_escalation *esc)
{
    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (esc == NULL)
        return ESC_EINVAL;
    esc_escalation *copy = esc__escalation_new();
    if (copy == NULL || esc__escalation_copy(copy, esc) != ESC_OK) {
        free(copy);
        return ESC_ENOMEM;
    }
    *out = copy;
    return ESC_OK;
}

/* A NULL snapshot reads as empty rather than crashing the host.  Text
 * getters come from the field list; the others have their own C types. */
#define GETTER_TEXT(prefix, record, field) \
    ESC_EXTERN(const char *) prefix##field(const record *r) \
    { return r ? text_or_empty(r->field) : ""; }
#define GETTER_INT(prefix, record, field)
#define GETTER_INT64(prefix, record, field)
#define ESCALATION_TEXT_GETTER(field, type) GETTER_##type(esc_escalation_, esc_escalation, field)
#define ITEM_TEXT_GETTER(field, type) GETTER_##type(esc_item_, esc_item, field)
#define VALUE_GETTER(type, field) \
    ESC_EXTERN(type) esc_escalation_##field(const esc_escalation *esc) \
    { return esc ? esc->field : (type)0; }

ESC_EXTERN(const char *) esc_escalation_id(const esc_escalation *esc)
{
    return esc ? esc->id : "";
}

ESC_ESCALATION_FIELDS(ESCALATION_TEXT_GETTER)
VALUE_GETTER(int64_t, version)
VALUE_GETTER(esc_state, state)
VALUE_GETTER(esc_channel, channel)
VALUE_GETTER(int, impact)
VALUE_GETTER(int, urgency)
VALUE_GETTER(int, priority)
VALUE_GETTER(int, vip)
VALUE_GETTER(int, churn_risk)
VALUE_GETTER(int, confidential)
VALUE_GETTER(int, tier)
VALUE_GETTER(int, problem_confirmed)
VALUE_GETTER(int64_t, promised_at)
VALUE_GETTER(int, unconfirmed)
VALUE_GETTER(int, withdrawn)
VALUE_GETTER(esc_hold, hold)
VALUE_GETTER(int64_t, hold_since)
VALUE_GETTER(int, satisfaction)
VALUE_GETTER(int, reopen_count)
VALUE_GETTER(int64_t, created_at)
VALUE_GETTER(int64_t, updated_at)
VALUE_GETTER(int64_t, due_at)
VALUE_GETTER(int64_t, next_timer_at)

/* The recorded SLA figures of one target; NULL for a bad call. */
static const esc_sla_record *sla_record(const esc_escalation *esc, esc_sla_target target)
{
    if (esc == NULL || (int)target < 0 || (int)target >= ESC_SLA_TARGET_COUNT)
        return NULL;
    return &esc->sla[target];
}

#define SLA_GETTER(name, member) \
    ESC_EXTERN(int64_t) esc_escalation_sla_##name(const esc_escalation *esc, \
                                                  esc_sla_target target) \
    { const esc_sla_record *r = sla_record(esc, target); return r ? r->member : 0; }

SLA_GETTER(deadline, due)
SLA_GETTER(met_at, met_at)
SLA_GETTER(margin_ms, margin)

ESC_EXTERN(int) esc_escalation_is_open(const esc_escalation *esc)
{
    return esc != NULL && esc->state != ESC_STATE_CLOSED;
}

ESC_EXTERN(size_t) esc_escalation_item_count(const esc_escalation *esc, esc_item_kind kind)
{
    if (esc == NULL || (int)kind < 0 || (int)kind >= ESC_ITEM_KIND_COUNT)
        return 0;
    return esc->items[kind].count;
}

ESC_EXTERN(const esc_item *) esc_escalation_item(const esc_escalation *esc, esc_item_kind kind,
                                                 size_t index)
{
    if (index >= esc_escalation_item_count(esc, kind))
        return NULL;
    return &esc->items[kind].items[index];
}

#define ITEM_VALUE_GETTER(type, name, field) \
    ESC_EXTERN(type) esc_item_##name(const esc_item *item) \
    { return item ? item->field : (type)0; }

ESC_ITEM_FIELDS(ITEM_TEXT_GETTER)
ITEM_VALUE_GETTER(esc_item_kind, get_kind, kind)
ITEM_VALUE_GETTER(int, number, number)
ITEM_VALUE_GETTER(int, tier, tier)
ITEM_VALUE_GETTER(int64_t, at, at)
ITEM_VALUE_GETTER(int, flag, flag)
ITEM_VALUE_GETTER(esc_item_status, status_of, status)
ITEM_VALUE_GETTER(int64_t, created_at, created_at)
