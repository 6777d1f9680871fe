/*
 * timers.h (private) — what is pending for one escalation, worked out from
 * its current row, its history and its policy: the derived timer columns,
 * and the next firing the sweep owes it.  Shared by apply.c (every step
 * refreshes the columns), sweep.c and definitions.c (recomputing after a
 * policy or calendar change) and verify.c (rebuild).
 */
#ifndef ESC_TIMERS_H
#define ESC_TIMERS_H

#include "lifecycle.h"
#include "store.h"

/* One firing: what fires, and the instant it was due. */
typedef struct esc_firing {
    esc_timer_step timer;
    int item;                   /* ESC_TIMER_FOLLOW_UP: the follow-up's number */
    int64_t at;
} esc_firing;

typedef struct esc_timer_plan {
    int has_due;                /* due holds the firing to make next */
    esc_firing due;             /* the earliest firing at or before now */
} esc_timer_plan;

/* Work out esc's timers: fill its derived columns (sla[], next_timer_at)
 * from history (all its events, in order) under pol (NULL: reminders
 * only), and when plan is not NULL, the first firing due at or before now.
 * Firings already recorded in history are never planned again. */
int esc__timers_plan(esc_db *db, esc_escalation *esc, const esc_sla_policy *pol,
                     const struct esc_event_list *history, int64_t now, esc_timer_plan *plan);

/* The policy esc counts under as it is in effect now (cached on the
 * handle; re-read when a newer version is stored), or NULL when esc has
 * none.  Lent by the handle until the next call. */
int esc__timers_policy(esc_db *db, const esc_escalation *esc, const esc_sla_policy **out);

/* Refresh esc's timer columns from its history in the store (inside the
 * caller's transaction) and write them. */
int esc__timers_refresh(esc_db *db, esc_escalation *esc);

/* Record a step the library has judged allowed (apply.c): apply it to a
 * copy of esc, commit it (timers included), and only then update esc.
 * history: as for esc__commit_step(). */
int esc__record_step(esc_db *db, esc_escalation *esc, const esc_step *step,
                     struct esc_event_list *history);

/* Write one step: row (with timers) and event in one transaction.
 * history: the escalation's events so far when the caller holds them (the
 * new event is appended to it), or NULL. */
int esc__commit_step(esc_db *db, esc_escalation *after, const esc_escalation *before,
                     const esc_step *step, struct esc_event_list *history);

/* A rule's identity across policy versions: a hash of every field that
 * says what it does (never 0). */
int64_t esc__sla_rule_key(const esc_sla_rule *rule);

/* Free the handle's policy cache (esc_db_close). */
void esc__policy_cache_free(esc_db *db);

#endif /* ESC_TIMERS_H */
