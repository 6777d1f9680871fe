/*
 * escalate/action.h — lifecycle actions: what can be done to an escalation,
 * the guards that must hold, and esc_apply() which performs one action as a
 * single transaction (current row + one immutable event).
 *
 * The transition table behind these functions is data (see README,
 * "Lifecycle"): esc_action_allowed() answers "what can I do now?" from the
 * same table that esc_apply() enforces.
 */
#ifndef ESCALATE_ACTION_H
#define ESCALATE_ACTION_H

#include "common.h"
#include "db.h"
#include "escalation.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Every action.  ESC_ACTION_OPEN is recorded by esc_escalation_open(). */
typedef enum esc_action_kind {
    ESC_ACTION_OPEN = 0,
    ESC_ACTION_NOTE = 1,               /**< text; customer_account */
    ESC_ACTION_ACK_EMOTION = 2,        /**< text: the emotion ("frustrated") */
    ESC_ACTION_ADVANCE = 3,            /**< listen -> clarify */
    ESC_ACTION_STATE_PROBLEM = 4,      /**< text: the problem statement */
    ESC_ACTION_CONFIRM_PROBLEM = 5,    /**< yes; when !yes, text: the correction */
    ESC_ACTION_ADD_STEP = 6,           /**< text; at: the step's promised time (0 = none) */
    ESC_ACTION_OFFER_OPTION = 7,       /**< text */
    ESC_ACTION_CHOOSE_OPTION = 8,      /**< item: the option's number */
    ESC_ACTION_PROMISE = 9,            /**< at: the time promised to the customer */
    ESC_ACTION_TAKE_OWNERSHIP = 10,    /**< person: the owner (id, name, tier) */
    ESC_ACTION_LOOP_IN = 11,           /**< person: the watcher; category: role */
    ESC_ACTION_SEND_UPDATE = 12,       /**< text */
    ESC_ACTION_REQUEST_EXCEPTION = 13, /**< category: kind; text: reason; tier: minimum tier to decide */
    ESC_ACTION_DECIDE_EXCEPTION = 14,  /**< item: request number; yes: approve; text: note */
    ESC_ACTION_RECORD_RESOLUTION = 15, /**< text */
    ESC_ACTION_SCHEDULE_FOLLOW_UP = 16,/**< at: due; text: what is promised */
    ESC_ACTION_COMPLETE_FOLLOW_UP = 17,/**< item: follow-up number; yes: customer reached; text: outcome */
    ESC_ACTION_CONFIRM_RESOLVED = 18,  /**< yes: the customer confirmed (else attempts must be used up) */
    ESC_ACTION_REOPEN = 19,            /**< text: reason */
    ESC_ACTION_CLOSE = 20,             /**< category + text: root cause; satisfaction; lessons */
    ESC_ACTION_WITHDRAW = 21,          /**< text: reason */
    ESC_ACTION_MOVE_TIER = 22,         /**< tier: target; brief_*; person: new owner (optional) */
    ESC_ACTION_HOLD = 23,              /**< hold: why; text: reason */
    ESC_ACTION_RESUME = 24,
    ESC_ACTION_REASSESS = 25,          /**< impact, urgency, vip, churn_risk: all four are set */
    ESC_ACTION_TAG = 26,               /**< text: the tag */
    ESC_ACTION_TIMER_FIRED = 27        /**< recorded by esc_sweep() only (timers.h) */
} esc_action_kind;
#define ESC_ACTION_COUNT 28

/** The conditions an action may need.  ESC_GUARD_NONE when nothing is unmet. */
typedef enum esc_guard {
    ESC_GUARD_NONE = 0,
    ESC_GUARD_STATE = 1,               /**< the action is not allowed in this state (ESC_ETRANSITION) */
    ESC_GUARD_CUSTOMER_NOTE = 2,       /**< a customer-account note since this handler began listening */
    ESC_GUARD_PROBLEM_STATEMENT = 3,   /**< a problem statement exists */
    ESC_GUARD_PLAN_STEP = 4,           /**< at least one plan step */
    ESC_GUARD_PROMISED_TIME = 5,       /**< a promised time exists */
    ESC_GUARD_OWNER = 6,               /**< an owner is named */
    ESC_GUARD_OPTION = 7,              /**< the option to choose exists */
    ESC_GUARD_FUTURE_TIME = 8,         /**< the time lies in the future */
    ESC_GUARD_PENDING_EXCEPTION = 9,   /**< the request to decide is pending */
    ESC_GUARD_AUTHORITY = 10,          /**< the actor's tier is high enough (ESC_EAUTHORITY) */
    ESC_GUARD_NO_PENDING_EXCEPTION = 11, /**< no exception request is still pending */
    ESC_GUARD_PENDING_FOLLOW_UP = 12,  /**< the follow-up to complete is pending */
    ESC_GUARD_CUSTOMER_CONFIRMED = 13, /**< the customer confirmed, or the follow-up attempts are used up */
    ESC_GUARD_ROOT_CAUSE = 14,         /**< a root cause: category and text */
    ESC_GUARD_HANDOVER_BRIEF = 15,     /**< a brief: what went wrong, what was tried, how the customer responded */
    ESC_GUARD_OTHER_TIER = 16,         /**< the target tier is on the ladder and differs from the current one */
    ESC_GUARD_ON_HOLD = 17,            /**< the escalation is on hold */
    ESC_GUARD_NOT_ON_HOLD = 18,        /**< the escalation is not already on hold */
    ESC_GUARD_CONFIDENTIAL = 19        /**< the actor may see this confidential escalation
                                            (ESC_EAUTHORITY; see esc_db_set_viewer()) */
} esc_guard;
#define ESC_GUARD_COUNT 20

/**
 * One action.  Initialise with ESC_ACTION_INIT (or esc_action_init()), set
 * kind, actor and the fields the kind uses (see esc_action_kind).  Strings
 * are borrowed for the length of the call.
 */
typedef struct esc_action {
    unsigned int version;          /**< ESC_ACTION_VERSION */
    esc_action_kind kind;
    esc_person actor;              /**< who acts (required): id, name, tier */
    const char *text;
    const char *category;
    esc_person person;
    int64_t at;
    int item;                      /**< 1-based number of the option / request / follow-up */
    int yes;
    int tier;
    int customer_account;          /**< NOTE: the customer's own account of the problem */
    esc_hold hold;
    int impact;
    int urgency;
    int vip;
    int churn_risk;
    int satisfaction;              /**< CLOSE: 1..5, 0 = not given */
    const char *lessons;           /**< CLOSE: optional */
    const char *brief_went_wrong;  /**< MOVE_TIER: what went wrong */
    const char *brief_tried;       /**< MOVE_TIER: what was tried */
    const char *brief_response;    /**< MOVE_TIER: how the customer responded */
} esc_action;

#define ESC_ACTION_VERSION 1
#define ESC_ACTION_INIT \
    { ESC_ACTION_VERSION, ESC_ACTION_NOTE, { NULL, NULL, 1 }, NULL, NULL, { NULL, NULL, 0 }, \
      0, 0, 0, 0, 0, ESC_HOLD_NONE, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL }

/**
 * Initialise action to ESC_ACTION_INIT with the given kind.
 * @return ESC_OK or ESC_EINVAL (NULL, unknown version or kind)
 * @since 1.0
 */
ESC_EXTERN(int) esc_action_init(esc_action *action, unsigned int version, esc_action_kind kind);

/**
 * Perform one action on an escalation.
 *
 * esc must be a snapshot of the escalation; its version is the one the
 * caller believes current.  The action, its guards and the version are
 * checked, then the current row is updated and one event appended in one
 * transaction (or one savepoint of an open batch).  On success esc is
 * refreshed to the new version.  The guards are judged on esc itself: a
 * stale snapshot may be refused by a guard of its own (old) state, and gets
 * ESC_ECONFLICT when its guards pass but the stored escalation has moved on
 * (or was rewritten by a rolled-back batch or a rebuild).  On any failure nothing changes, neither in
 * the database nor in esc, and esc_db_last_guard() names the unmet guard.
 *
 * @return ESC_OK;
 *         ESC_EINVAL (NULL, bad enum, empty/too long/invalid UTF-8 text, bad actor);
 *         ESC_ETRANSITION (not allowed in this state);
 *         ESC_EGUARD (a guard is unmet: esc_db_last_guard());
 *         ESC_EAUTHORITY (the actor's tier is too low);
 *         ESC_ECONFLICT (esc is stale: fetch it again and retry);
 *         ESC_ENOTFOUND, ESC_EBUSY, ESC_EREADONLY, ESC_EFULL, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_apply(esc_db *db, esc_escalation *esc, const esc_action *action);

/**
 * Would this action be allowed now?  Checks the state and every guard that
 * depends on the escalation alone (not on the action's own arguments);
 * authority is checked when actor is non-NULL.
 * @param out  receives the first unmet guard, ESC_GUARD_NONE when allowed
 * @return ESC_OK (allowed), ESC_ETRANSITION, ESC_EGUARD, ESC_EAUTHORITY,
 *         ESC_EINVAL (NULL or unknown kind)
 * @since 1.0
 */
ESC_EXTERN(int) esc_action_allowed(esc_guard *out, const esc_db *db, const esc_escalation *esc,
                                   esc_action_kind kind, const esc_person *actor);

/**
 * The guard that refused the last esc_apply() on this handle
 * (ESC_GUARD_NONE after a success or a failure that was not a guard).
 * @since 1.0
 */
ESC_EXTERN(esc_guard) esc_db_last_guard(const esc_db *db);

/* Static names ("take_ownership", "customer_note" ...) and descriptions;
 * NULL when out of range.  Each @since 1.0. */
ESC_EXTERN(const char *) esc_action_name(esc_action_kind kind);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_guard_name(esc_guard guard);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_guard_description(esc_guard guard);

/**
 * Parse an action name as printed by esc_action_name().
 * @return ESC_OK or ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_action_from_name(esc_action_kind *out, const char *name);

/**
 * The priority (1 highest .. 5) this handle's matrix gives; VIP or churn risk
 * raises it by one, never above 1.
 * @return the priority, or ESC_EINVAL when impact or urgency is outside 1..4
 * @since 1.0
 */
ESC_EXTERN(int) esc_priority_compute(const esc_db *db, int impact, int urgency, int vip,
                                     int churn_risk);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_ACTION_H */
