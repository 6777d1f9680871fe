/*
 * internal.h — what the library's own files share and hosts never see: the
 * database handle's layout and the per-handle error reporting.
 */
#ifndef ESC_INTERNAL_H
#define ESC_INTERNAL_H

#include "escalate.h"
#include "model.h"

#if defined(__GNUC__)
#  define ESC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define ESC_PRINTF(fmt, args)
#endif

#define ESC_ERRMSG_MAX 512

struct esc_store;
struct esc_store_ops;
struct esc_policy_cache;

struct esc_db {
    const struct esc_store_ops *store_ops;
    struct esc_store *store;
    esc_db_options options;
    int readonly;
    int priority_matrix[ESC_PRIORITY_MATRIX_CELLS];
    char *tier_names[ESC_TIER_MAX];
    int tier_count;
    esc_event_hook_fn event_hook;
    void *event_hook_payload;
    /* Events of the open batch, delivered to the hook when it commits. */
    struct esc_event_list *pending_events;
    /* Who may see confidential escalations (esc_db_set_confidential_tier). */
    int confidential_tier;
    /* The write-token generator's state (esc__new_token). */
    uint64_t token_state;
    /* The person this handle reads and acts for (esc_db_set_viewer), or
     * has_viewer 0: the host's own code, which sees everything. */
    int has_viewer;
    esc_person viewer;
    /* SLA policies built for timing steps (definitions.c). */
    struct esc_policy_cache *policy_cache;
    int errcode;
    esc_guard last_guard;
    char errmsg[ESC_ERRMSG_MAX];
};

/* Record a failure on db (which may be NULL) and return code, so that
 * callers can write `return esc__error(db, ESC_EINVAL, "...")`. */
int esc__error(esc_db *db, int code, const char *fmt, ...) ESC_PRINTF(3, 4);
/* Forget the last failure (called at the start of every public call). */
void esc__clear_error(esc_db *db);

/* Start of every public call that needs an opened store: clears the last
 * error; ESC_EINVAL for a NULL or failed handle. */
int esc__db_ready(esc_db *db);
/* ESC_EREADONLY (with the message) on a handle that may not write. */
int esc__check_writable(esc_db *db);

/* The same, for calls that hand back an object: out must not be NULL. */
int esc__db_ready_for(esc_db *db, const void *out);

/* Access (access.c).  With a viewer set: the escalation must be one the
 * viewer may see (ESC_EAUTHORITY otherwise); system operations (verify,
 * rebuild, sweep, outbox, storing definitions) are refused; a step must be
 * taken by the viewer in person. */
int esc__check_may_see(esc_db *db, const esc_escalation *esc);
int esc__check_may_read_id(esc_db *db, const char *id);
int esc__check_system(esc_db *db, const char *what);
int esc__check_actor(esc_db *db, const esc_person *actor);
void esc__viewer_clear(esc_db *db);

/* A stored calendar's or policy's name: 1..ESC_DEFINITION_NAME_MAX bytes of
 * letters, digits, '-', '_', '.' (definitions.c). */
int esc__check_definition_name(esc_db *db, const char *name, const char *what);

/* A lookup key (id, external reference) must be valid short text; the
 * message never echoes bytes that are not. */
int esc__check_key(esc_db *db, const char *key, const char *what);

/* A fresh write token (see esc_escalation.token), from db's generator. */
int64_t esc__new_token(esc_db *db);

/* "Now" for a step: ESC_ECALLBACK (with the message set) when the host's
 * clock reports a failure. */
int esc__step_time(esc_db *db, int64_t *out);

/* The event hook (hook.c).  Outside a batch, a committed event is
 * delivered at once; inside one it is queued before its step is released
 * (so running out of memory can still refuse the step), taken back if the
 * step fails, and delivered when the batch commits or dropped if not. */
struct esc_event;
void esc__event_deliver(esc_db *db, const struct esc_event *event);
int esc__event_queue(esc_db *db, const struct esc_event *event);
void esc__event_unqueue_last(esc_db *db);
void esc__events_deliver(esc_db *db);
void esc__events_discard(esc_db *db);

/* Default priority matrix and tier ladder. */
extern const int esc__default_priority_matrix[ESC_PRIORITY_MATRIX_CELLS];
extern const char *const esc__default_tier_names[4];

/* The priority for impact × urgency on db's matrix, raised for VIP/churn. */
int esc__priority(const esc_db *db, int impact, int urgency, int vip, int churn_risk);

#endif /* ESC_INTERNAL_H */
