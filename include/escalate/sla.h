/*
 * escalate/sla.h — SLA policies and the clocks they put on an escalation.
 *
 * A policy gives, per priority (1 highest .. 5), up to three targets:
 *  - ESC_SLA_FIRST_RESPONSE: time until the first update sent to the
 *    customer (action send_update);
 *  - ESC_SLA_UPDATE: the promised update interval: the next update is due
 *    that long after the last one sent.  It starts at the first response;
 *  - ESC_SLA_RESOLUTION: time until a resolution is recorded
 *    (record_resolution).  A reopen starts it again from where it was: the
 *    elapsed time is kept.
 * Targets are counted in business time of the policy's calendar, or in
 * plain wall time when the policy has no calendar.
 *
 * Pauses.  While the escalation is on hold for a kind the policy pauses
 * (by default: waiting on the customer and on a third party; not internal
 * holds), no clock counts.  A pause lasts from the hold event to the
 * resume, or to the event that clears the hold (the escalation resolved,
 * closed or withdrawn).  Pausing pushes a deadline by the business time
 * spent paused.
 *
 * Clocks are evaluated from the escalation's own history
 * (esc_sla_evaluate()), so a priority change (reassess) re-targets them
 * from the whole history, keeping pauses, and a changed policy or calendar
 * gives recomputed deadlines.  Nothing here touches a database.
 *
 * Escalation rules (esc_sla_policy_add_rule()) say what should happen on
 * their own when a clock reaches one of its warnings or its breach: move
 * the escalation up a tier, raise its priority, add a watcher, or only
 * notify, at once or after a delay, once or repeatedly, at any tier or
 * only at one.  The policy holds them; acting on them is for whoever
 * watches the clocks.
 *
 * A policy is not changed by esc_sla_evaluate(): once built, it may be used
 * from several threads at once.  Setters need exclusive use.
 */
#ifndef ESCALATE_SLA_H
#define ESCALATE_SLA_H

#include "common.h"
#include "escalation.h"
#include "calendar.h"
#include "query.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An SLA policy.  Opaque; free with esc_sla_policy_free(). */
typedef struct esc_sla_policy esc_sla_policy;

/** The clocks of one escalation at one instant.  Opaque; free with esc_sla_clocks_free(). */
typedef struct esc_sla_clocks esc_sla_clocks;

/** The targets of a policy. */
typedef enum esc_sla_target {
    ESC_SLA_FIRST_RESPONSE = 0,  /**< until the first send_update */
    ESC_SLA_UPDATE = 1,          /**< from one send_update to the next */
    ESC_SLA_RESOLUTION = 2       /**< until record_resolution (elapsed kept over reopens) */
} esc_sla_target;
#define ESC_SLA_TARGET_COUNT 3

/** Where a clock stands (esc_sla_clocks_state()). */
typedef enum esc_sla_state {
    ESC_SLA_NONE = 0,     /**< no target at the current priority, or not started
                               (the update clock before the first response) */
    ESC_SLA_RUNNING = 1,  /**< counting */
    ESC_SLA_PAUSED = 2,   /**< on a pausing hold: not counting, no deadline */
    ESC_SLA_MET = 3,      /**< met (first response, resolution); see met_at, margin */
    ESC_SLA_STOPPED = 4   /**< ended without being met: closed, withdrawn, resolved
                               before a first response; the update clock after
                               record_resolution */
} esc_sla_state;
#define ESC_SLA_STATE_COUNT 5

/** Priorities a policy has targets for. */
#define ESC_SLA_PRIORITY_MIN 1
#define ESC_SLA_PRIORITY_MAX 5
/** Most warning percentages a policy holds. */
#define ESC_SLA_WARNINGS_MAX 8
/** Longest target: 3660 days (the calendar's horizon), in ms. */
#define ESC_SLA_DURATION_MAX (INT64_C(3660) * 86400000)
/** A buffer of this size holds any message of the functions below. */
#define ESC_SLA_ERRMSG_MAX 384

/**
 * Create a policy without targets or warnings, pausing on customer and
 * third-party holds.
 * @param calendar_spec  a calendar in the text form of esc_calendar_parse()
 *                       (it must have working hours), or NULL for wall time
 * @param errbuf         NULL, or a buffer of errbuf_size bytes receiving
 *                       the reason of a failure ("" on success);
 *                       ESC_SLA_ERRMSG_MAX is always enough
 * @return ESC_OK, ESC_EINVAL (NULL out, malformed calendar, calendar
 *         without working hours), ESC_ENOTFOUND (unknown zone),
 *         ESC_ECORRUPT (damaged zone file), ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_new(esc_sla_policy **out, const char *calendar_spec,
                                   char *errbuf, size_t errbuf_size);

/**
 * Free a policy; NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_sla_policy_free(esc_sla_policy *pol);

/**
 * The policy's calendar, lent by the policy; NULL for wall time (or NULL pol).
 * @since 1.0
 */
ESC_EXTERN(const esc_calendar *) esc_sla_policy_calendar(const esc_sla_policy *pol);

/**
 * Set one target for one priority.
 * @param priority     ESC_SLA_PRIORITY_MIN .. ESC_SLA_PRIORITY_MAX
 * @param duration_ms  1 .. ESC_SLA_DURATION_MAX, or 0 for no target
 * @return ESC_OK, ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_set_target(esc_sla_policy *pol, int priority,
                                          esc_sla_target target, int64_t duration_ms);

/**
 * One target of one priority (0: none).
 * @return ESC_OK, ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_target(int64_t *out, const esc_sla_policy *pol, int priority,
                                      esc_sla_target target);

/**
 * Whether holds of a kind pause the clocks (pauses non-zero) or not.
 * @param kind  ESC_HOLD_CUSTOMER, ESC_HOLD_THIRD_PARTY or ESC_HOLD_INTERNAL
 * @return ESC_OK, ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_set_pause(esc_sla_policy *pol, esc_hold kind, int pauses);

/**
 * 1 when holds of kind pause the clocks, 0 when not (or on a bad argument).
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_pauses(const esc_sla_policy *pol, esc_hold kind);

/**
 * Replace the warning percentages (the same for every target).
 * @param percent  count values, each 1..99, strictly ascending (NULL when
 *                 count is 0: no warnings)
 * @param count    0 .. ESC_SLA_WARNINGS_MAX
 * @return ESC_OK, ESC_EINVAL (also when the list leaves out a percentage
 *         one of the policy's rules fires at; the policy is then unchanged)
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_set_warnings(esc_sla_policy *pol, const int *percent,
                                            size_t count);

/** Number of warning percentages. @since 1.0 */
ESC_EXTERN(size_t) esc_sla_policy_warning_count(const esc_sla_policy *pol);
/** The index-th warning percentage (ascending), 0 when out of range. @since 1.0 */
ESC_EXTERN(int) esc_sla_policy_warning(const esc_sla_policy *pol, size_t index);

/** Most rules a policy holds. */
#define ESC_SLA_RULES_MAX 16
/** Most times one rule fires for one occurrence. */
#define ESC_SLA_REPEAT_MAX 10

/**
 * An escalation rule: what happens automatically when a clock reaches a
 * warning or its breach.  Initialise with ESC_SLA_RULE_INIT (or
 * esc_sla_rule_init()); new fields are only ever added at the end.
 * A rule with none of move_up, raise_priority, watcher_id only notifies.
 */
typedef struct esc_sla_rule {
    unsigned int version;     /**< ESC_SLA_RULE_VERSION */
    esc_sla_target target;    /**< the clock it watches */
    int warning_percent;      /**< 0: fires at the breach; else one of the policy's warning percentages */
    int tier;                 /**< 0: at any tier; else only while the escalation is at this tier (1..ESC_TIER_MAX) */
    int64_t after_ms;         /**< delay after the trigger instant, counted like the targets; 0..ESC_SLA_DURATION_MAX */
    int repeat;               /**< how many times it fires per occurrence, 1..ESC_SLA_REPEAT_MAX */
    int64_t every_ms;         /**< between repeats: 1..ESC_SLA_DURATION_MAX when repeat > 1, else 0 */
    int move_up;              /**< 1: move the escalation up one tier (generated handover brief) */
    int raise_priority;       /**< 1: raise the priority one step (P3 -> P2; P1 stays) */
    const char *watcher_id;   /**< NULL or "": none; else add this person (id, short text) as a watcher:
                                   valid UTF-8, 1..200 bytes, no control characters, no blanks,
                                   none of ; [ ] = (so that it fits the text form) */
} esc_sla_rule;
#define ESC_SLA_RULE_VERSION 1
#define ESC_SLA_RULE_INIT { ESC_SLA_RULE_VERSION, ESC_SLA_RESOLUTION, 0, 0, 0, 1, 0, 0, 0, NULL }

/**
 * Initialise rule to ESC_SLA_RULE_INIT: at the resolution breach, at any
 * tier, at once, once, only notifying.
 * @return ESC_OK, ESC_EINVAL (NULL rule, unknown version)
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_rule_init(esc_sla_rule *rule, unsigned int version);

/**
 * Append a copy of a rule to the policy's rules (kept in the order
 * added); watcher_id is duplicated, the caller keeps its own.
 * @return ESC_OK;
 *         ESC_EINVAL (NULL argument, a wrong version, a field out of its
 *         range (see esc_sla_rule), move_up or raise_priority other than
 *         0 or 1, every_ms not matching repeat, a bad watcher_id, a
 *         warning_percent that is not one of the policy's warnings, or
 *         ESC_SLA_RULES_MAX rules already);
 *         ESC_ENOMEM.  On failure the policy is unchanged.
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_add_rule(esc_sla_policy *pol, const esc_sla_rule *rule);

/** Number of rules; 0 for a NULL pol. @since 1.0 */
ESC_EXTERN(size_t) esc_sla_policy_rule_count(const esc_sla_policy *pol);

/**
 * The index-th rule (in the order added) into out.  out->watcher_id is
 * lent by the policy (NULL when none): valid until the policy is freed.
 * @return ESC_OK, ESC_EINVAL (NULL argument, index out of range)
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_rule(esc_sla_rule *out, const esc_sla_policy *pol, size_t index);

/**
 * Build a policy from its one-line text form, e.g.
 *
 *     calendar=[tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12];
 *     p1 first_response=30m update=2h resolution=8h; p2 resolution=8h;
 *     warn=75,90; pause=customer,third_party;
 *     rule resolution breach tier=1 move_up watch=lead-7;
 *     rule resolution breach tier=2 after=2h repeat=3 every=1h move_up
 *
 * Items are separated by ';' (empty items are ignored); blanks may
 * surround every token; keywords are case-insensitive.
 *  - calendar=[SPEC]: the calendar, SPEC in the text form of
 *    esc_calendar_parse(), inside square brackets (it has ';' of its own;
 *    it may not contain '[' or ']').  calendar=wall, or no calendar item,
 *    means wall time.  At most once.
 *  - pN TARGET=DURATION ...: targets of priority N (1..5), TARGET one of
 *    first_response, update, resolution; each (priority, target) at most
 *    once in a spec.  DURATION is one or more NUMBER UNIT with units h, m,
 *    s, ms, largest first, no blanks ("1h30m", "45s", "250ms"); 0 is no
 *    target.
 *  - warn=P[,P...]: warning percentages, 1..99, ascending; warn=none for
 *    none (the default).  At most once.
 *  - pause=KIND[,KIND...]: the hold kinds that pause (customer,
 *    third_party, internal); pause=none for none.  Without it, the default
 *    (customer, third_party).  At most once.
 *  - rule TARGET TRIGGER [OPTION ...]: one escalation rule (esc_sla_rule);
 *    repeatable, up to ESC_SLA_RULES_MAX, kept in the order written.
 *    TARGET as above; TRIGGER is breach, or warn=P with P one of the
 *    policy's warning percentages (the warn= item may come before or after
 *    the rule).  OPTIONs, in any order, each at most once: tier=N (1..16;
 *    0, the default, for any tier), after=DURATION (delay, default 0),
 *    repeat=N (1..10, default 1), every=DURATION (required with repeat=N
 *    above 1, refused otherwise), move_up, raise (raise_priority),
 *    watch=ID (watcher_id: no blanks, none of ; [ ] =).  DURATIONs as
 *    for targets.  An error about a rule's warn=P names the rule's item.
 *
 * Errors are explained in errbuf, naming the item and the token.
 * @return ESC_OK, ESC_EINVAL (malformed spec), ESC_ENOTFOUND (unknown
 *         zone), ESC_ECORRUPT, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_parse(esc_sla_policy **out, const char *spec, char *errbuf,
                                     size_t errbuf_size);

/**
 * The canonical text form of a policy: the calendar item (calendar=wall or
 * calendar=[canonical calendar text]), then priorities 1..5 that have
 * targets (targets in the order first_response, update, resolution;
 * durations as hours, minutes, seconds, ms), then warn= (when there are
 * warnings), then pause= (always), then one rule item per rule, in order
 * (options in the order tier, after, repeat, every, move_up, raise, watch,
 * leaving out tier=0, after=0 and repeat=1).  esc_sla_policy_parse() of
 * it gives an equal policy, and equal policies give the same text.
 * @param out  receives the text; free it with esc_sla_spec_free()
 * @return ESC_OK, ESC_EINVAL, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_policy_format(char **out, const esc_sla_policy *pol);

/**
 * Free a text returned by esc_sla_policy_format(); NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_sla_spec_free(char *spec);

/**
 * The name of a target as the text form writes it ("first_response",
 * "update", "resolution"); NULL when out of range.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_sla_target_name(esc_sla_target target);

/**
 * The name of a clock state ("none", "running", "paused", "met",
 * "stopped"); NULL when out of range.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_sla_state_name(esc_sla_state state);

/**
 * Evaluate the clocks of one escalation at now, from its history.
 *
 * The history is walked oldest first: open (priority from the payload's
 * "open_priority") starts first response and resolution; reassess
 * ("priority") changes the priority: every clock is re-targeted to the
 * new priority's targets over the time already counted (pauses kept), so
 * a deadline may move into the past; hold ("hold" kind) pauses the clocks
 * when the policy pauses that kind, until resume (or the hold is cleared
 * by resolution, close or withdraw); send_update meets first response,
 * and starts (restarts) the update clock; record_resolution meets
 * resolution and stops the update clock; reopen restarts resolution with
 * its elapsed time kept, and the update clock from zero when there has
 * been a first response; close and withdraw stop everything.  Events
 * timed before an earlier one count as at the earlier one's time.
 *
 * @param history  as esc_history() gives it: events seq 1..n in order, of
 *                 one escalation, the first an open
 * @param now      at or after the last event's time
 * @return ESC_OK;
 *         ESC_EINVAL (NULL argument, an empty history, now before the last
 *         event or outside [ESC_CALENDAR_TIME_MIN, ESC_CALENDAR_TIME_MAX],
 *         wall-time policies included);
 *         ESC_ECORRUPT (the list is not one escalation's history: seq not
 *         1..n, first not open, open again later, escalation ids differ,
 *         a payload that is not JSON, a priority outside 1..5, a hold kind
 *         out of range, an event time outside the calendar range);
 *         ESC_ENOTFOUND (a deadline lies beyond the calendar's horizon);
 *         ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_evaluate(esc_sla_clocks **out, const esc_sla_policy *pol,
                                 const esc_event_list *history, int64_t now);

/**
 * Free clocks; NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_sla_clocks_free(esc_sla_clocks *clocks);

/*
 * Accessors.  A NULL clocks or a target out of range gives 0 (and
 * ESC_SLA_NONE).  Each @since 1.0.
 */
/** The instant now the clocks were evaluated at. @since 1.0 */
ESC_EXTERN(int64_t) esc_sla_clocks_now(const esc_sla_clocks *clocks);
/** The escalation's priority at now. @since 1.0 */
ESC_EXTERN(int) esc_sla_clocks_priority(const esc_sla_clocks *clocks);
/** @since 1.0 */
ESC_EXTERN(esc_sla_state) esc_sla_clocks_state(const esc_sla_clocks *clocks,
                                               esc_sla_target target);
/** 1 when the target applies: the current priority has it and the clock has started. @since 1.0 */
ESC_EXTERN(int) esc_sla_clocks_applies(const esc_sla_clocks *clocks, esc_sla_target target);
/** The target (ms) at the current priority, 0 when none. @since 1.0 */
ESC_EXTERN(int64_t) esc_sla_clocks_target_ms(const esc_sla_clocks *clocks,
                                             esc_sla_target target);
/**
 * The instant at which the counted time reaches the target: a business
 * instant of the calendar (the next opening when it runs out at a
 * closing).  0 when the target does not apply, when the clock is met, or
 * when it is paused before reaching the target.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_sla_clocks_deadline(const esc_sla_clocks *clocks, esc_sla_target target);
/** 1 while on a pausing hold (the clock running otherwise). @since 1.0 */
ESC_EXTERN(int) esc_sla_clocks_paused(const esc_sla_clocks *clocks, esc_sla_target target);
/**
 * 1 when met.  For ESC_SLA_UPDATE: 1 when an update interval has been met
 * (ended by a send_update); met_at, margin then describe the last one,
 * while elapsed and deadline describe the current interval.
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_clocks_met(const esc_sla_clocks *clocks, esc_sla_target target);
/** The instant it was met, 0 when not. @since 1.0 */
ESC_EXTERN(int64_t) esc_sla_clocks_met_at(const esc_sla_clocks *clocks, esc_sla_target target);
/**
 * Counted (business or wall) time, pauses excluded: until met_at when met
 * (first response, resolution), until the stop when stopped, else until now.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_sla_clocks_elapsed_ms(const esc_sla_clocks *clocks,
                                              esc_sla_target target);
/**
 * When met: target - elapsed at met, against the target of the priority
 * at that instant (negative: met late).  Else target - elapsed now.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_sla_clocks_margin_ms(const esc_sla_clocks *clocks,
                                             esc_sla_target target);
/**
 * 1 when breached: running or paused with now >= deadline (a paused clock
 * keeps a breach it had), met late, or stopped after its deadline.
 * @since 1.0
 */
ESC_EXTERN(int) esc_sla_clocks_breached(const esc_sla_clocks *clocks, esc_sla_target target);
/**
 * The next warning instant strictly after now (0: none: no warnings left,
 * paused, met or stopped); *out_percent (may be NULL) receives its
 * percentage.  Warning instants are placed in business time: the instant
 * the counted time reaches that percentage of the target, always inside
 * working hours.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_sla_clocks_next_warning(const esc_sla_clocks *clocks,
                                                esc_sla_target target, int *out_percent);
/** The number of warnings of the policy the clocks were evaluated under. @since 1.0 */
ESC_EXTERN(size_t) esc_sla_clocks_warning_count(const esc_sla_clocks *clocks);

/**
 * The instant of the index-th warning of the policy (index as in
 * esc_sla_policy_warning()), past or future, for the current interval;
 * 0 when it is not known (paused before it, met or stopped before it, no
 * target).
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_sla_clocks_warning_at(const esc_sla_clocks *clocks,
                                              esc_sla_target target, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_SLA_H */
