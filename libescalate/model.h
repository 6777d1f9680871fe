/*
 * model.h — the in-memory shape of one escalation (its current row and its
 * items) that the lifecycle works on and the store reads and writes.  The
 * public esc_escalation and esc_item are these structs.
 */
#ifndef ESC_MODEL_H
#define ESC_MODEL_H

#include <stddef.h>

#include "escalate.h"

/* The stored fields of an escalation (after its id) and of an item (after
 * kind and number), in storage order.  Storage, copying, comparison and the
 * getters all walk these lists, so a new field is added in one place. */
#define ESC_ESCALATION_FIELDS(X) \
    X(external_ref, TEXT) X(version, INT64) X(state, INT) X(summary, TEXT) \
    X(customer_id, TEXT) X(customer_name, TEXT) X(channel, INT) X(impact, INT) \
    X(urgency, INT) X(priority, INT) X(vip, INT) X(churn_risk, INT) X(confidential, INT) \
    X(tier, INT) X(owner_id, TEXT) X(owner_name, TEXT) X(problem, TEXT) \
    X(problem_confirmed, INT) X(promised_at, INT64) X(resolution, TEXT) X(unconfirmed, INT) \
    X(withdrawn, INT) X(hold, INT) X(hold_reason, TEXT) X(hold_since, INT64) \
    X(root_cause_category, TEXT) X(root_cause, TEXT) X(lessons, TEXT) X(satisfaction, INT) \
    X(reopen_count, INT) X(created_at, INT64) X(updated_at, INT64) X(due_at, INT64) \
    X(listen_mark, INT) X(follow_up_mark, INT) X(sla_policy, TEXT) X(reminded_until, INT64) \
    X(opened_by, TEXT) X(chain_head, TEXT)

/* The derived timer columns (timers.h): absolute instants kept in indexed
 * columns so that "what is due" is a range scan.  They are a function of
 * the history and the policy in effect, recomputed by every step, so they
 * are not part of the replayed state above: X(column, member, type). */
#define ESC_TIMER_FIELDS(X) \
    X(first_response_due, sla[ESC_SLA_FIRST_RESPONSE].due, INT64) \
    X(first_response_met_at, sla[ESC_SLA_FIRST_RESPONSE].met_at, INT64) \
    X(first_response_margin, sla[ESC_SLA_FIRST_RESPONSE].margin, INT64) \
    X(update_due, sla[ESC_SLA_UPDATE].due, INT64) \
    X(update_met_at, sla[ESC_SLA_UPDATE].met_at, INT64) \
    X(update_margin, sla[ESC_SLA_UPDATE].margin, INT64) \
    X(resolution_due, sla[ESC_SLA_RESOLUTION].due, INT64) \
    X(resolution_met_at, sla[ESC_SLA_RESOLUTION].met_at, INT64) \
    X(resolution_margin, sla[ESC_SLA_RESOLUTION].margin, INT64) \
    X(next_timer_at, next_timer_at, INT64)

#define ESC_ITEM_FIELDS(X) \
    X(text, TEXT) X(category, TEXT) X(person_id, TEXT) X(person_name, TEXT) X(tier, INT) \
    X(at, INT64) X(flag, INT) X(status, INT) X(decision, TEXT) X(decided_by, TEXT) \
    X(created_at, INT64)

typedef enum esc_field_type { ESC_FIELD_TEXT, ESC_FIELD_INT, ESC_FIELD_INT64 } esc_field_type;

typedef struct esc_field {
    const char *name;
    esc_field_type type;
    size_t offset;
} esc_field;

typedef struct esc_field_list {
    const esc_field *fields;
    size_t count;
} esc_field_list;

/* Enum-typed fields are stored and copied as int. */
_Static_assert(sizeof(esc_state) == sizeof(int), "esc_state must be int-sized");
_Static_assert(sizeof(esc_channel) == sizeof(int), "esc_channel must be int-sized");
_Static_assert(sizeof(esc_hold) == sizeof(int), "esc_hold must be int-sized");
_Static_assert(sizeof(esc_item_status) == sizeof(int), "esc_item_status must be int-sized");

extern const esc_field_list esc__escalation_fields;
extern const esc_field_list esc__item_fields;
extern const esc_field_list esc__timer_fields;

/* What the SLA clocks of one target were at the last step, for the columns. */
typedef struct esc_sla_record {
    int64_t due;
    int64_t met_at;
    int64_t margin;
} esc_sla_record;

struct esc_item {
    esc_item_kind kind;
    int number;              /* 1-based within its kind */
    char *text;
    char *category;
    char *person_id;
    char *person_name;
    int tier;
    int64_t at;
    int flag;
    esc_item_status status;
    char *decision;
    char *decided_by;
    int64_t created_at;
    int dirty;               /* changed by the action being applied: the store writes it */
};

typedef struct esc_item_array {
    esc_item *items;
    size_t count;
    size_t capacity;
} esc_item_array;

struct esc_escalation {
    char id[37];
    /* A random number renewed by every write: the version alone could be
     * reused after a rolled-back batch, so a snapshot is current only when
     * both match what is stored.  Not part of the replayed state. */
    int64_t token;
    char *external_ref;
    int64_t version;
    esc_state state;
    char *summary;
    char *customer_id;
    char *customer_name;
    esc_channel channel;
    int impact;
    int urgency;
    int priority;
    int vip;
    int churn_risk;
    int confidential;
    int tier;
    char *owner_id;
    char *owner_name;
    char *problem;
    int problem_confirmed;
    int64_t promised_at;
    char *resolution;
    int unconfirmed;
    int withdrawn;
    esc_hold hold;
    char *hold_reason;
    int64_t hold_since;
    char *root_cause_category;
    char *root_cause;
    char *lessons;
    int satisfaction;
    int reopen_count;
    int64_t created_at;
    int64_t updated_at;
    int64_t due_at;
    /* Where this handler's listening began: the number of notes that existed
     * then.  A customer-account note with a higher number satisfies the
     * listen guard, so a new handler after a tier move must listen anew. */
    int listen_mark;
    /* Follow-ups that existed at the last reopen: only later attempts count
     * toward "the agreed follow-up attempts are used up". */
    int follow_up_mark;
    char *sla_policy;          /* the stored policy it was opened with, or NULL */
    /* Promised callbacks and follow-ups due at or before this instant have
     * been reminded of by the sweep (each fires in due order, and new ones
     * are always later than the sweep that fired the last one). */
    int64_t reminded_until;
    char *opened_by;           /* the id of who opened it: may always see it */
    /* The hash of its last event (event_chain.c), so the next step links to
     * it without a read; NULL for rows last written before the chain. */
    char *chain_head;
    esc_item_array items[ESC_ITEM_KIND_COUNT];
    /* Derived timers (ESC_TIMER_FIELDS). */
    esc_sla_record sla[ESC_SLA_TARGET_COUNT];
    int64_t next_timer_at;
};

/* Allocate an empty escalation (every text "" -> NULL means unset). */
esc_escalation *esc__escalation_new(void);
void esc__escalation_clear(esc_escalation *esc);
/* Deep copy src into dst (dst is cleared first). Returns ESC_OK or ESC_ENOMEM. */
int esc__escalation_copy(esc_escalation *dst, const esc_escalation *src);

/* Replace *slot with a copy of text (NULL allowed). ESC_OK or ESC_ENOMEM. */
int esc__set_text(char **slot, const char *text);

/* Append a zeroed item of kind; its number is count+1 and it is marked dirty. */
int esc__item_append(esc_escalation *esc, esc_item_kind kind, esc_item **out);
/* The item of kind with that 1-based number, or NULL. */
esc_item *esc__item_find(esc_escalation *esc, esc_item_kind kind, int number);
void esc__item_clear(esc_item *item);
int esc__item_copy(esc_item *dst, const esc_item *src);
/* Forget every dirty mark (after the store has written them). */
void esc__items_mark_clean(esc_escalation *esc);

/* Compare two escalations field by field, items and timers included.  Returns 0 when
 * equal; otherwise 1 with the first difference described in what. */
int esc__escalation_diff(const esc_escalation *a, const esc_escalation *b, char *what,
                         size_t size);

/* Recompute due_at: the earliest promised callback or follow-up not yet
 * reminded of (later than reminded_until), 0 when none. */
void esc__escalation_update_due(esc_escalation *esc);

#endif /* ESC_MODEL_H */
