/*
 * escalate/escalation.h — the escalation record: its enumerations, opening a
 * new escalation, fetching one, and reading its fields and items.
 *
 * An esc_escalation is a snapshot taken at one version.  It does not change
 * behind the caller's back; esc_apply() refreshes the snapshot it is given.
 */
#ifndef ESCALATE_ESCALATION_H
#define ESCALATE_ESCALATION_H

#include "common.h"
#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Lifecycle states, in order.  Open = every state but ESC_STATE_CLOSED. */
typedef enum esc_state {
    ESC_STATE_LISTEN = 0,
    ESC_STATE_CLARIFY = 1,
    ESC_STATE_PLAN = 2,       /**< next steps */
    ESC_STATE_OWN = 3,
    ESC_STATE_FOLLOW_UP = 4,
    ESC_STATE_RESOLVED = 5,
    ESC_STATE_CLOSED = 6
} esc_state;
#define ESC_STATE_COUNT 7

/** How the customer reached us. */
typedef enum esc_channel {
    ESC_CHANNEL_PHONE = 0,
    ESC_CHANNEL_EMAIL = 1,
    ESC_CHANNEL_CHAT = 2,
    ESC_CHANNEL_SOCIAL = 3,
    ESC_CHANNEL_IN_PERSON = 4
} esc_channel;
#define ESC_CHANNEL_COUNT 5

/** Why an escalation is on hold. */
typedef enum esc_hold {
    ESC_HOLD_NONE = 0,
    ESC_HOLD_CUSTOMER = 1,     /**< waiting on the customer */
    ESC_HOLD_THIRD_PARTY = 2,  /**< waiting on a vendor, bank, carrier ... */
    ESC_HOLD_INTERNAL = 3      /**< waiting on another team */
} esc_hold;
#define ESC_HOLD_COUNT 4

/** Kinds of item an escalation carries. */
typedef enum esc_item_kind {
    ESC_ITEM_NOTE = 0,       /**< a note; flag: 1 = the customer's own account */
    ESC_ITEM_EMOTION = 1,    /**< an acknowledged emotion */
    ESC_ITEM_STEP = 2,       /**< a plan step; at: its promised time (0 = none) */
    ESC_ITEM_OPTION = 3,     /**< an alternative offered; flag: 1 = the customer's choice */
    ESC_ITEM_WATCHER = 4,    /**< a person kept in the loop; category: role */
    ESC_ITEM_UPDATE = 5,     /**< an update sent to the customer */
    ESC_ITEM_EXCEPTION = 6,  /**< an exception request; category: kind; tier: minimum tier;
                                  status: pending/approved/denied; decision: decider's note */
    ESC_ITEM_FOLLOW_UP = 7,  /**< a promised callback; at: due; status: pending/done;
                                  flag: 1 = the customer was reached; decision: outcome */
    ESC_ITEM_TAG = 8         /**< a tag */
} esc_item_kind;
#define ESC_ITEM_KIND_COUNT 9

/** esc_item status values (exception requests and follow-ups). */
typedef enum esc_item_status {
    ESC_ITEM_OPEN = 0,       /**< no status (notes ...) or still pending */
    ESC_ITEM_APPROVED = 1,
    ESC_ITEM_DENIED = 2,
    ESC_ITEM_DONE = 3
} esc_item_status;

/**
 * A person: the actor of an action, an owner, a watcher.  Strings are
 * borrowed for the length of the call.  id and name: non-empty short text.
 * tier: 1..the ladder's tier count (ignored for watchers).
 */
typedef struct esc_person {
    const char *id;
    const char *name;
    int tier;
} esc_person;

/** Parameters of esc_escalation_open().  Initialise with ESC_OPEN_PARAMS_INIT. */
typedef struct esc_open_params {
    unsigned int version;          /**< ESC_OPEN_PARAMS_VERSION */
    esc_person actor;              /**< who opens it (required) */
    const char *summary;           /**< the customer's own words (required, long text) */
    const char *customer_id;       /**< required, short text */
    const char *customer_name;     /**< optional, short text */
    const char *external_ref;      /**< the host's ticket reference; optional, unique when given */
    esc_channel channel;
    int impact;                    /**< 1 individual .. 4 business-wide */
    int urgency;                   /**< 1 can wait .. 4 now */
    int vip;                       /**< non-zero: a VIP account (raises priority by one) */
    int churn_risk;                /**< non-zero: threatening to leave (raises priority by one) */
    int confidential;              /**< non-zero: sensitive content */
    const char *sla_policy;        /**< NULL, or a stored SLA policy's name (timers.h) */
} esc_open_params;

#define ESC_OPEN_PARAMS_VERSION 1
#define ESC_OPEN_PARAMS_INIT \
    { ESC_OPEN_PARAMS_VERSION, { NULL, NULL, 1 }, NULL, NULL, NULL, NULL, ESC_CHANNEL_PHONE, 1, 1, 0, 0, 0, NULL }

/**
 * Initialise params to the defaults (same as ESC_OPEN_PARAMS_INIT).
 * @since 1.0
 */
ESC_EXTERN(int) esc_open_params_init(esc_open_params *params, unsigned int version);

/** A snapshot of one escalation.  Opaque; free with esc_escalation_free(). */
typedef struct esc_escalation esc_escalation;

/** One item of an escalation, lent by its escalation.  Opaque. */
typedef struct esc_item esc_item;

/**
 * Open a new escalation in ESC_STATE_LISTEN at tier 1, priority from the
 * matrix, with a fresh UUID.  One event ("open") is recorded.
 * @param out  receives the new escalation (may be NULL if not wanted)
 * @return ESC_OK, ESC_EINVAL, ESC_EEXISTS (external_ref taken), ESC_EBUSY,
 *         ESC_EREADONLY, ESC_EFULL, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_open(esc_escalation **out, esc_db *db,
                                    const esc_open_params *params);

/**
 * Fetch an escalation by its id (canonical lower-case UUID text).
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND, ESC_EBUSY, ESC_ECORRUPT, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_get(esc_escalation **out, esc_db *db, const char *id);

/**
 * Fetch an escalation by the host's external reference.
 * @return as esc_escalation_get()
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_get_by_ref(esc_escalation **out, esc_db *db,
                                          const char *external_ref);

/**
 * Free a snapshot; NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_escalation_free(esc_escalation *esc);

/**
 * Copy a snapshot.
 * @return ESC_OK, ESC_EINVAL, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_dup(esc_escalation **out, const esc_escalation *esc);

/* Field getters.  Strings are lent by the snapshot; "" when unset.
 * Each @since 1.0. */
ESC_EXTERN(const char *) esc_escalation_id(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_external_ref(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_version(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(esc_state) esc_escalation_state(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_is_open(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_summary(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_customer_id(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_customer_name(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(esc_channel) esc_escalation_channel(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_impact(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_urgency(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_priority(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_vip(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_churn_risk(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_confidential(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_tier(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_owner_id(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_owner_name(const esc_escalation *esc);
/** The id of the person who opened it. @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_opened_by(const esc_escalation *esc);
/**
 * The hash of its latest event (esc_event_hash()): the head of its
 * tamper-evident history, worth keeping elsewhere; "" for a row last
 * written before the history was chained.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_escalation_chain_head(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_problem(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_problem_confirmed(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_promised_at(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_resolution(const esc_escalation *esc);
/** 1 when resolved without the customer's confirmation (attempts used up). @since 1.0 */
ESC_EXTERN(int) esc_escalation_unconfirmed(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_withdrawn(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(esc_hold) esc_escalation_hold(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_hold_reason(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_hold_since(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_root_cause_category(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_root_cause(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_escalation_lessons(const esc_escalation *esc);
/** Satisfaction score 1..5 given on close, 0 when not given. @since 1.0 */
ESC_EXTERN(int) esc_escalation_satisfaction(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int) esc_escalation_reopen_count(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_created_at(const esc_escalation *esc);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_updated_at(const esc_escalation *esc);
/**
 * The earliest pending promise (the promised time until a resolution is
 * recorded, or an open follow-up's due time) that the sweep has not yet
 * reminded of; 0 = none.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_escalation_due_at(const esc_escalation *esc);

/**
 * Number of items of one kind (kind out of range: 0).
 * @since 1.0
 */
ESC_EXTERN(size_t) esc_escalation_item_count(const esc_escalation *esc, esc_item_kind kind);

/**
 * The index-th item (0-based, in the order they were added) of one kind,
 * lent by the snapshot; NULL when out of range.
 * @since 1.0
 */
ESC_EXTERN(const esc_item *) esc_escalation_item(const esc_escalation *esc,
                                                 esc_item_kind kind, size_t index);

/* Item getters.  Each @since 1.0. */
ESC_EXTERN(esc_item_kind) esc_item_get_kind(const esc_item *item);
/** 1-based number of the item within its kind: what actions refer to. @since 1.0 */
ESC_EXTERN(int) esc_item_number(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_text(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_category(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_person_id(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_person_name(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(int) esc_item_tier(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_item_at(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(int) esc_item_flag(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(esc_item_status) esc_item_status_of(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_decision(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_decided_by(const esc_item *item);
/** @since 1.0 */
ESC_EXTERN(int64_t) esc_item_created_at(const esc_item *item);

/* Static names of enumeration values ("listen", "email" ...); NULL when out
 * of range.  Each @since 1.0. */
ESC_EXTERN(const char *) esc_state_name(esc_state state);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_channel_name(esc_channel channel);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_hold_name(esc_hold hold);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_item_kind_name(esc_item_kind kind);

/**
 * Parse a state name as printed by esc_state_name().
 * @return ESC_OK or ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_state_from_name(esc_state *out, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_ESCALATION_H */
