/*
 * escalate/timers.h — timers kept in the database: stored (versioned)
 * calendars and SLA policies, the deadlines of each escalation, what is due,
 * the sweep that fires it, and the outbox that tells the host.
 *
 * Stored definitions.  A calendar or a policy is stored under a name; every
 * change adds a new version (the old ones stay, for audit) and, in the same
 * transaction, recomputes the deadlines of every open escalation that uses
 * it from that escalation's own history (one that cannot be timed, a
 * damaged history, keeps its timers).  Closed escalations keep the figures
 * recorded when they closed.  A policy may name a stored calendar: it then
 * always counts in that calendar's latest version.
 *
 * Deadlines.  An escalation opened with a policy (esc_open_params.sla_policy)
 * carries absolute instants in indexed columns, recomputed in the same
 * transaction as every step: the deadline of each target, and the next
 * instant at which anything fires for it ("next timer": a warning, a breach,
 * an escalation rule, a promised callback, a scheduled follow-up).  Promises
 * and follow-ups have timers with or without a policy.  "What is due before
 * T" is a range scan of one index.
 *
 * The sweep.  esc_sweep(now) fires everything due at or before now.  Each
 * firing is recorded as a "timer_fired" event of its escalation, in one
 * transaction with its effects (the escalation rules: a move up a tier with
 * a generated handover brief, a watcher, a raised priority) and its outbox
 * entry.  Firings are identified by what fired (clock, stage, cycle, rule,
 * repetition), so running the sweep twice, or from two processes at once,
 * fires nothing twice, and a crash leaves each escalation's firings either
 * done or not.  When several stages of one clock are overdue together, only
 * the latest fires (a late sweep sends the breach, not the stale warnings
 * before it).
 *
 * Notifications.  Each firing reaches the event hook (esc_db_set_event_hook)
 * once committed, and is written to the outbox: a durable queue the host
 * reads with esc_outbox_fetch() and acknowledges with esc_outbox_ack().
 * Delivery is at least once (an entry stays until acknowledged) and in
 * order per escalation.
 */
#ifndef ESCALATE_TIMERS_H
#define ESCALATE_TIMERS_H

#include "common.h"
#include "escalation.h"
#include "query.h"
#include "sla.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- stored calendars and policies ------------------------------------- */

/** One stored version of a calendar or policy.  Opaque; free with esc_definition_free(). */
typedef struct esc_definition esc_definition;

/** Longest name of a stored calendar or policy, in bytes. */
#define ESC_DEFINITION_NAME_MAX 64

/**
 * Store a new version of the calendar called name.  When spec (in the text
 * form of esc_calendar_parse(); it must have working hours) gives the same
 * calendar as the latest version, nothing is stored and that version is
 * returned.  Otherwise the new version is stored and the deadlines of the
 * open escalations whose policies use this calendar are recomputed, in one
 * transaction.
 * @param out_version  receives the version now current (may be NULL)
 * @param name         1..ESC_DEFINITION_NAME_MAX bytes of letters, digits, '-', '_', '.'
 * @return ESC_OK, ESC_EINVAL (bad name, malformed spec: see esc_db_errmsg()),
 *         ESC_ENOTFOUND (unknown time zone), ESC_EAUTHORITY (a viewer's
 *         handle), ESC_ECONFLICT (another writer stored a version at the
 *         same moment: try again), ESC_EREADONLY, ESC_EBUSY,
 *         ESC_EFULL, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_calendar_put(int64_t *out_version, esc_db *db, const char *name,
                                    const char *spec);

/**
 * Store a new version of the SLA policy called name (the same rules as
 * esc_db_calendar_put() for unchanged specs and recomputed deadlines).
 * @param spec           the text form of esc_sla_policy_parse()
 * @param calendar_name  NULL, or a stored calendar the policy counts in
 *                       (spec must then have no calendar= item)
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND (no such stored calendar,
 *         unknown zone), ESC_EAUTHORITY, ESC_ECONFLICT, ESC_EREADONLY, ESC_EBUSY,
 *         ESC_EFULL, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_policy_put(int64_t *out_version, esc_db *db, const char *name,
                                  const char *spec, const char *calendar_name);

/**
 * Read one stored version of a calendar.
 * @param version  1.., or 0 for the latest
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND, ESC_EBUSY, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_calendar_get(esc_definition **out, esc_db *db, const char *name,
                                    int64_t version);

/**
 * Read one stored version of a policy.
 * @param version  1.., or 0 for the latest
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND, ESC_EBUSY, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_policy_get(esc_definition **out, esc_db *db, const char *name,
                                  int64_t version);

/**
 * Build the policy called name as it is in effect now: its latest version,
 * counting in the latest version of its stored calendar, if it names one.
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND, ESC_ECORRUPT (a stored spec
 *         that no longer parses), ESC_EBUSY, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_policy_load(esc_sla_policy **out, esc_db *db, const char *name);

/** Free a definition; NULL does nothing. @since 1.0 */
ESC_EXTERN(void) esc_definition_free(esc_definition *def);
/** Its name ("" for NULL). @since 1.0 */
ESC_EXTERN(const char *) esc_definition_name(const esc_definition *def);
/** Its version (1..). @since 1.0 */
ESC_EXTERN(int64_t) esc_definition_version(const esc_definition *def);
/**
 * The spec as stored: the canonical text form of what was put (for a policy
 * that names a stored calendar, without a calendar= item); "" for NULL.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_definition_spec(const esc_definition *def);
/** A policy's stored calendar name; NULL when none (and for calendars). @since 1.0 */
ESC_EXTERN(const char *) esc_definition_calendar(const esc_definition *def);
/** When this version was stored (the handle's clock). @since 1.0 */
ESC_EXTERN(int64_t) esc_definition_created_at(const esc_definition *def);

/* ---- the deadlines of an escalation ------------------------------------ */

/**
 * The policy an escalation was opened with, "" when none.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_escalation_sla_policy(const esc_escalation *esc);

/**
 * The stored deadline of one target as of the escalation's last step or
 * sweep: 0 when it does not apply, is met, or is paused.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_escalation_sla_deadline(const esc_escalation *esc,
                                                esc_sla_target target);

/**
 * When a target was met (0: not met) and the margin it was met with
 * (target - elapsed business time; negative: late), as recorded for
 * reports.  For ESC_SLA_UPDATE: the last interval met.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_escalation_sla_met_at(const esc_escalation *esc, esc_sla_target target);
/** @see esc_escalation_sla_met_at() @since 1.0 */
ESC_EXTERN(int64_t) esc_escalation_sla_margin_ms(const esc_escalation *esc,
                                                 esc_sla_target target);

/**
 * The next instant at which the sweep has something to fire for this
 * escalation; 0 when nothing is pending.
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_escalation_next_timer_at(const esc_escalation *esc);

/**
 * Evaluate the clocks of an escalation now under its policy as it is in
 * effect (esc_db_policy_load()), from its stored history.
 * @param now  at or after the escalation's last event
 * @return ESC_OK, ESC_EINVAL (NULL, now too early), ESC_ENOTFOUND (the
 *         escalation has no policy, or it is gone), ESC_ECORRUPT, ESC_EBUSY,
 *         ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_sla(esc_sla_clocks **out, esc_db *db, const esc_escalation *esc,
                                   int64_t now);

/**
 * The open escalations with something to fire at or before before,
 * earliest first (then by id), at most limit of them (0: 100; at most
 * ESC_LIST_LIMIT_MAX).  Answered
 * from the index on the next timer.
 * @return ESC_OK, ESC_EINVAL, ESC_EBUSY, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_escalation_list_due(esc_escalation_list **out, esc_db *db, int64_t before,
                                        size_t limit);

/* ---- the sweep ---------------------------------------------------------- */

/** What one esc_sweep() did.  Initialise with ESC_SWEEP_STATS_INIT. */
typedef struct esc_sweep_stats {
    unsigned int version;   /**< ESC_SWEEP_STATS_VERSION */
    size_t escalations;     /**< escalations that had something due */
    size_t firings;         /**< timer_fired events recorded (the sum of the four below) */
    size_t warnings;        /**< SLA warnings */
    size_t breaches;        /**< SLA breaches */
    size_t reminders;       /**< promised callbacks and follow-ups due */
    size_t rules;           /**< escalation rules fired (each a firing of its own, after the
                                 warning or breach it answers) */
    size_t moves;           /**< tier moves made by rules */
    size_t busy;            /**< escalations skipped because another writer held them; left for the next sweep */
} esc_sweep_stats;

#define ESC_SWEEP_STATS_VERSION 1
#define ESC_SWEEP_STATS_INIT { ESC_SWEEP_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * Fire everything due at or before now, escalation by escalation, each in
 * its own transaction (so not inside an open batch).  Firings are timed at
 * now; the instant each was due is in its event and outbox entry.  An
 * escalation that cannot be timed (a damaged history) is skipped and the
 * others are fired; the call then returns that escalation's code, with
 * stats filled in.  Promised callbacks and follow-ups due at the very same
 * instant are reminded of by one firing (naming the first follow-up).
 * @param stats  NULL, or an ESC_SWEEP_STATS_INIT struct to fill in
 * @param now    the sweep's instant (usually esc_db_now()), 1 .. ESC_CALENDAR_TIME_MAX
 * @return ESC_OK (also when some escalations were busy: see stats->busy),
 *         ESC_ECORRUPT or ESC_EINVAL (an escalation was skipped: see above),
 *         ESC_EBUSY (the database itself could not be read within the busy
 *         timeout), ESC_EINVAL (also inside an open batch: the sweep commits
 *         escalation by escalation), ESC_EREADONLY, ESC_EFULL, ESC_EIO, ESC_ENOMEM,
 *         ESC_ECORRUPT (a stored policy or history that cannot be read;
 *         what was fired before it stays fired)
 * @since 1.0
 */
ESC_EXTERN(int) esc_sweep(esc_sweep_stats *stats, esc_db *db, int64_t now);

/* ---- the outbox --------------------------------------------------------- */

/** Entries of the outbox.  Opaque; free with esc_outbox_list_free(). */
typedef struct esc_outbox_list esc_outbox_list;
/** One entry, lent by its list.  Opaque. */
typedef struct esc_outbox_entry esc_outbox_entry;

/**
 * The oldest unacknowledged entries, at most limit (0: 100; at most
 * ESC_LIST_LIMIT_MAX), oldest first.
 * @return ESC_OK, ESC_EINVAL, ESC_EBUSY, ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_outbox_fetch(esc_outbox_list **out, esc_db *db, size_t limit);

/**
 * Acknowledge an entry: it is not fetched again.  Acknowledging an entry
 * twice is not an error (delivery is at least once).
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND (no such entry), ESC_EREADONLY,
 *         ESC_EBUSY, ESC_EFULL, ESC_EIO
 * @since 1.0
 */
ESC_EXTERN(int) esc_outbox_ack(esc_db *db, int64_t entry_id);

/** @since 1.0 */
ESC_EXTERN(size_t) esc_outbox_list_count(const esc_outbox_list *list);
/** NULL when out of range. @since 1.0 */
ESC_EXTERN(const esc_outbox_entry *) esc_outbox_list_get(const esc_outbox_list *list,
                                                         size_t index);
/** @since 1.0 */
ESC_EXTERN(void) esc_outbox_list_free(esc_outbox_list *list);

/** The entry's id (ascending in the order entries were written). @since 1.0 */
ESC_EXTERN(int64_t) esc_outbox_entry_id(const esc_outbox_entry *entry);
/** @since 1.0 */
ESC_EXTERN(const char *) esc_outbox_entry_escalation_id(const esc_outbox_entry *entry);
/** The seq of the timer_fired event it reports. @since 1.0 */
ESC_EXTERN(int64_t) esc_outbox_entry_seq(const esc_outbox_entry *entry);
/**
 * What fired: "sla_warning", "sla_breach", "escalation_rule",
 * "promise_due" or "follow_up_due".
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_outbox_entry_kind(const esc_outbox_entry *entry);
/** The instant it was due. @since 1.0 */
ESC_EXTERN(int64_t) esc_outbox_entry_due_at(const esc_outbox_entry *entry);
/** The instant of the sweep that fired it. @since 1.0 */
ESC_EXTERN(int64_t) esc_outbox_entry_fired_at(const esc_outbox_entry *entry);
/**
 * The details as a JSON object: "kind", "escalation_id", "due_at",
 * "target", "percent", "tier", "priority", "moved_to_tier", "watcher",
 * "raised_to", "item", as they apply.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_outbox_entry_payload(const esc_outbox_entry *entry);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_TIMERS_H */
