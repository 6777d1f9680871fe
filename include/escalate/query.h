/*
 * escalate/query.h — reading many escalations at once (filtered, ordered,
 * paginated lists) and the event history of one escalation.
 */
#ifndef ESCALATE_QUERY_H
#define ESCALATE_QUERY_H

#include "common.h"
#include "db.h"
#include "escalation.h"
#include "action.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a list is ordered. */
typedef enum esc_order {
    ESC_ORDER_PRIORITY = 0,  /**< highest priority first, then oldest first */
    ESC_ORDER_DUE = 1,       /**< earliest due first; nothing due last */
    ESC_ORDER_CREATED = 2    /**< oldest first */
} esc_order;

/** esc_filter.open */
#define ESC_FILTER_ANY 0
#define ESC_FILTER_OPEN 1
#define ESC_FILTER_CLOSED 2

/**
 * What to list.  Initialise with ESC_FILTER_INIT; every criterion left at its
 * initial value (NULL, -1, ESC_FILTER_ANY) does not filter.  Criteria combine
 * with AND.
 */
typedef struct esc_filter {
    unsigned int version;       /**< ESC_FILTER_VERSION */
    int state;                  /**< an esc_state, or -1 */
    const char *owner_id;
    int tier;                   /**< 1..ESC_TIER_MAX, or -1 */
    int priority;               /**< 1..5, or -1 */
    const char *tag;
    const char *customer_id;
    int open;                   /**< ESC_FILTER_ANY / _OPEN / _CLOSED */
    esc_order order;
    size_t limit;               /**< 1..1000; 0 means 100 */
    size_t offset;              /**< rows to skip, for the next page */
} esc_filter;

#define ESC_FILTER_VERSION 1
#define ESC_FILTER_INIT \
    { ESC_FILTER_VERSION, -1, NULL, -1, -1, NULL, NULL, ESC_FILTER_ANY, ESC_ORDER_PRIORITY, 0, 0 }
#define ESC_LIST_LIMIT_MAX 1000

/** A list of escalation snapshots.  Opaque; free with esc_escalation_list_free(). */
typedef struct esc_escalation_list esc_escalation_list;

/**
 * Initialise a filter to ESC_FILTER_INIT.
 * @since 1.0
 */
ESC_EXTERN(int) esc_filter_init(esc_filter *filter, unsigned int version);

/**
 * List escalations.  filter may be NULL (everything, by priority, first 100).
 * @return ESC_OK, ESC_EINVAL, ESC_EBUSY, ESC_ECORRUPT, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_list_query(esc_escalation_list **out, esc_db *db,
                                          const esc_filter *filter);

/* Each @since 1.0. */
ESC_EXTERN(size_t) esc_escalation_list_count(const esc_escalation_list *list);
/** The index-th snapshot, lent by the list; NULL when out of range. @since 1.0 */
ESC_EXTERN(const esc_escalation *) esc_escalation_list_get(const esc_escalation_list *list,
                                                           size_t index);
/** @since 1.0 */
ESC_EXTERN(void) esc_escalation_list_free(esc_escalation_list *list);

/** One event of an escalation's history.  Opaque, lent by its list. */
typedef struct esc_event esc_event;
/** The history of one escalation.  Opaque; free with esc_event_list_free(). */
typedef struct esc_event_list esc_event_list;

/**
 * The whole history of one escalation, oldest first.
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND, ESC_EBUSY, ESC_ECORRUPT, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_history(esc_event_list **out, esc_db *db, const char *escalation_id);

/* Each @since 1.0. */
ESC_EXTERN(size_t) esc_event_list_count(const esc_event_list *list);
/** @since 1.0 */
ESC_EXTERN(const esc_event *) esc_event_list_get(const esc_event_list *list, size_t index);
/** @since 1.0 */
ESC_EXTERN(void) esc_event_list_free(esc_event_list *list);

/* Event getters.  Strings lent by the list.  Each @since 1.0. */
ESC_EXTERN(const char *) esc_event_escalation_id(const esc_event *event);
/** 1, 2, 3 ... per escalation, without gaps; equals the version it produced. @since 1.0 */
ESC_EXTERN(int64_t) esc_event_seq(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_event_at(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(esc_action_kind) esc_event_action(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_event_actor_id(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_event_actor_name(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(int) esc_event_actor_tier(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(esc_state) esc_event_from_state(const esc_event *event);
/** @since 1.0 */
ESC_EXTERN(esc_state) esc_event_to_state(const esc_event *event);
/** The action's arguments as a JSON object (UTF-8). @since 1.0 */
ESC_EXTERN(const char *) esc_event_payload(const esc_event *event);
/**
 * The event's link in its escalation's hash chain: lower-case hex SHA-256
 * over the previous event's hash and this event's fields ("" for events
 * written before the chain existed, and for NULL).  esc_db_verify() checks
 * the chain; a host that keeps the latest hash elsewhere can later prove
 * that nothing before it was changed.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_event_hash(const esc_event *event);

/**
 * Called once for every event after it is committed: right after the step
 * outside a batch; at esc_db_batch_commit() for the steps of a batch (never
 * for a batch that is rolled back).  The event is lent for the length of the
 * call.  The hook must not use the handle it is called from.  A hook sees
 * the steps taken while it is installed: installing one in the middle of a
 * batch does not deliver the batch's earlier steps.
 */
typedef void (*esc_event_hook_fn)(const esc_event *event, void *payload);

/**
 * Install (or with NULL, remove) this handle's event hook.
 * @return ESC_OK or ESC_EINVAL (NULL db)
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_event_hook(esc_db *db, esc_event_hook_fn hook, void *payload);

/** The result of esc_db_verify().  Opaque; free with esc_verify_report_free(). */
typedef struct esc_verify_report esc_verify_report;

/**
 * Replay every escalation's events and compare the result with the stored
 * current rows and items.  Read-only.
 * @param out  receives the report (also when mismatches were found)
 * @return ESC_OK (the report says whether it matched), ESC_EINVAL,
 *         ESC_ECORRUPT (an event could not be read back), ESC_EBUSY, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_verify(esc_verify_report **out, esc_db *db);

/* Each @since 1.0. */
ESC_EXTERN(size_t) esc_verify_report_escalations(const esc_verify_report *report);
/** @since 1.0 */
ESC_EXTERN(size_t) esc_verify_report_events(const esc_verify_report *report);
/** @since 1.0 */
ESC_EXTERN(size_t) esc_verify_report_mismatch_count(const esc_verify_report *report);
/** The escalation id of the index-th mismatch; NULL when out of range. @since 1.0 */
ESC_EXTERN(const char *) esc_verify_report_mismatch_id(const esc_verify_report *report, size_t index);
/** What differs, e.g. "state: stored own, replayed plan". @since 1.0 */
ESC_EXTERN(const char *) esc_verify_report_mismatch_what(const esc_verify_report *report, size_t index);
/** @since 1.0 */
ESC_EXTERN(void) esc_verify_report_free(esc_verify_report *report);

/**
 * Rebuild every current row and item from the events, in one transaction.
 * @param out_rebuilt  receives how many escalations were rewritten (may be NULL)
 * @return ESC_OK, ESC_ECORRUPT, ESC_EBUSY, ESC_EREADONLY, ESC_EFULL, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_rebuild(size_t *out_rebuilt, esc_db *db);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_QUERY_H */
