/*
 * lifecycle.h — the state machine, free of storage: the transition table
 * (data), argument validation, guard evaluation, and the effect of each
 * action on the in-memory escalation.  Effects are deterministic functions
 * of (escalation, step): replaying the recorded steps rebuilds the current
 * row exactly, which is what verify and rebuild rely on.
 */
#ifndef ESC_LIFECYCLE_H
#define ESC_LIFECYCLE_H

#include "internal.h"

#define ESC_MAX_GUARDS 4

/* Which arguments an action takes (esc_transition.args). */
enum esc_arg_flags {
    ESC_ARG_TEXT = 1 << 0,          /* text: required, long */
    ESC_ARG_TEXT_SHORT = 1 << 1,    /* text: required, short */
    ESC_ARG_TEXT_OPTIONAL = 1 << 2, /* text: optional, long */
    ESC_ARG_CATEGORY = 1 << 3,      /* category: required, short */
    ESC_ARG_CATEGORY_OPTIONAL = 1 << 4,
    ESC_ARG_PERSON = 1 << 5,        /* person: id and name required */
    ESC_ARG_PERSON_OPTIONAL = 1 << 6,
    ESC_ARG_TIER = 1 << 7,          /* tier: on the ladder */
    ESC_ARG_HOLD = 1 << 8,          /* hold: a reason to wait */
    ESC_ARG_ASSESSMENT = 1 << 9,    /* impact and urgency 1..4 */
    ESC_ARG_CLOSING = 1 << 10,      /* satisfaction 0..5, lessons optional */
    ESC_ARG_BRIEF = 1 << 11,        /* brief_*: optional here, required by the guard */
    ESC_ARG_TIME_OPTIONAL = 1 << 12,/* at >= 0 */
    ESC_ARG_CORRECTION = 1 << 13    /* text required when yes == 0 */
};

/* Which recorded fields an action uses (esc_transition.uses): the event
 * payload holds exactly these, so the log says what the step did and
 * nothing the caller happened to leave in the struct. */
enum esc_use_flags {
    ESC_USE_TEXT = 1 << 0,
    ESC_USE_CATEGORY = 1 << 1,
    ESC_USE_PERSON = 1 << 2,
    ESC_USE_AT = 1 << 3,
    ESC_USE_ITEM = 1 << 4,
    ESC_USE_YES = 1 << 5,
    ESC_USE_TIER = 1 << 6,
    ESC_USE_CUSTOMER_ACCOUNT = 1 << 7,
    ESC_USE_HOLD = 1 << 8,
    ESC_USE_ASSESSMENT = 1 << 9,   /* impact, urgency, vip, churn risk and the priority they gave */
    ESC_USE_CLOSING = 1 << 10,     /* satisfaction, lessons */
    ESC_USE_BRIEF = 1 << 11,
    ESC_USE_OPEN = 1 << 12,        /* the open parameters and the priority they gave */
    ESC_USE_TIMER = 1 << 13        /* what a timer_fired event fired (esc_step.timer) */
};

#define ESC_STATE_BIT(s) (1u << (s))
#define ESC_STATES_OPEN \
    (ESC_STATE_BIT(ESC_STATE_LISTEN) | ESC_STATE_BIT(ESC_STATE_CLARIFY) | \
     ESC_STATE_BIT(ESC_STATE_PLAN) | ESC_STATE_BIT(ESC_STATE_OWN) | \
     ESC_STATE_BIT(ESC_STATE_FOLLOW_UP) | ESC_STATE_BIT(ESC_STATE_RESOLVED))
#define ESC_STATES_WORKING (ESC_STATES_OPEN & ~ESC_STATE_BIT(ESC_STATE_RESOLVED))

/* One row of the transition table. */
typedef struct esc_transition {
    esc_action_kind kind;
    unsigned int from_states;          /* ESC_STATE_BIT mask */
    int to_state;                      /* the state after, or -1: unchanged (or decided by the effect) */
    unsigned int args;                 /* esc_arg_flags */
    unsigned int uses;                 /* esc_use_flags */
    esc_guard guards[ESC_MAX_GUARDS];  /* checked in order; ESC_GUARD_NONE ends the list */
} esc_transition;

/* The table, indexed by esc_action_kind. */
extern const esc_transition esc__transitions[ESC_ACTION_COUNT];

/* What fired (ESC_ACTION_TIMER_FIRED).  Together these identify a firing,
 * which is how the sweep knows what it has already done. */
typedef enum esc_timer_kind {
    ESC_TIMER_NONE = 0,
    ESC_TIMER_WARNING = 1,      /* an SLA clock reached a warning percentage */
    ESC_TIMER_BREACH = 2,       /* an SLA clock reached its target */
    ESC_TIMER_RULE = 3,         /* an escalation rule of the policy */
    ESC_TIMER_PROMISE = 4,      /* the promised time arrived */
    ESC_TIMER_FOLLOW_UP = 5     /* a scheduled follow-up is due (action.item) */
} esc_timer_kind;
#define ESC_TIMER_KIND_COUNT 6

typedef struct esc_timer_step {
    int kind;                   /* esc_timer_kind */
    int target;                 /* esc_sla_target (WARNING, BREACH, RULE) */
    int stage;                  /* WARNING: 1.. (the warning's index + 1); BREACH: warnings + 1 */
    int percent;                /* WARNING: its percentage */
    int64_t cycle;              /* which run of the clock: updates sent before it (UPDATE), else 0 */
    int rule;                   /* RULE: 1-based index in the policy (for people) */
    int64_t rule_key;           /* RULE: the rule's identity (esc__sla_rule_key) */
    int repeat;                 /* RULE: 0-based repetition */
    int64_t due;                /* the instant it was due */
} esc_timer_step;

/* One recorded step: an action with everything needed to replay it. */
typedef struct esc_step {
    esc_action action;          /* kind, actor and arguments */
    esc_open_params open;       /* ESC_ACTION_OPEN only */
    esc_timer_step timer;       /* ESC_ACTION_TIMER_FIRED only */
    int priority;               /* OPEN, REASSESS: the priority the matrix gave then */
    int64_t at;                 /* when it happened */
} esc_step;

/* The handle's rules that guards need. */
typedef struct esc_rules {
    int tier_count;
    int follow_up_attempts;
    int64_t now;
    int confidential_tier;   /* who may see confidential escalations; 0: anyone (replay, sweep) */
} esc_rules;

/* The tier from which a person may record a resolution the customer did
 * not confirm (confirm_resolved without yes). */
#define ESC_UNCONFIRMED_RESOLVE_TIER 2

/* May who see esc?  Anyone, unless esc is confidential: then its owner,
 * its opener, its watchers and anyone at confidential_tier or above. */
int esc__may_see(const esc_escalation *esc, const esc_person *who, int confidential_tier);

/* The handle's ladder and attempts; now is left for the caller to read. */
void esc__rules_from_db(esc_rules *rules, const esc_db *db);

/* Check the shape of the actor and the arguments (ESC_EINVAL with a
 * message on db).  Nothing about the escalation is looked at. */
int esc__validate_person(esc_db *db, const esc_person *person, const char *role, int tier_count,
                         int need_tier);
int esc__validate_action(esc_db *db, const esc_action *action, int tier_count);
/* The same, for steps the library itself records (replay, the sweep):
 * timer_fired is allowed here, and its timer fields are checked. */
int esc__validate_recorded(esc_db *db, const esc_step *step, int tier_count);
int esc__validate_open(esc_db *db, const esc_open_params *params, int tier_count);

/* State and guards.  action may be NULL ("would it be allowed?"): guards
 * that depend on the action's arguments then only check what the
 * escalation alone decides; actor may be NULL to skip authority.  Returns
 * ESC_OK, ESC_ETRANSITION, ESC_EGUARD or ESC_EAUTHORITY, with the unmet
 * guard in *unmet. */
int esc__lifecycle_check(esc_guard *unmet, const esc_escalation *esc, esc_action_kind kind,
                         const esc_action *action, const esc_person *actor,
                         const esc_rules *rules);

/* Apply a step that passed its checks (or is being replayed).  Returns
 * ESC_OK or ESC_ENOMEM; on failure esc is left partly changed, so callers
 * work on a copy. */
int esc__lifecycle_effect(esc_escalation *esc, const esc_step *step);

/* Fill a fresh escalation from an OPEN step; id is its new UUID. */
int esc__lifecycle_open(esc_escalation *esc, const char *id, const esc_step *step);

#endif /* ESC_LIFECYCLE_H */
