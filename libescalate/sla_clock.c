/*
 * sla_clock.c — owns evaluating an escalation's SLA clocks from its own
 * history (esc_sla_evaluate() and the esc_sla_clocks accessors in sla.h).
 *
 * Each clock is kept as the list of intervals during which it counted
 * (closed segments, plus at most one open segment still counting).  Every
 * figure is then read off those segments under the CURRENT priority's
 * target: the deadline (or a warning) is the instant at which the counted
 * time reaches the target (or its percentage), found by walking the
 * segments in business time.  So a priority change re-targets over the
 * whole history, pauses included, and a changed calendar recomputes
 * everything.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sla_model.h"

/* Longest span handed to esc_calendar_business_between() at once (its
 * horizon is ESC_CALENDAR_HORIZON_DAYS). */
#define SPAN_MAX (INT64_C(3000) * 86400000)

typedef struct segment {
    int64_t a, b;
} segment;

/* One clock while the history is walked. */
typedef struct walk_clock {
    segment *segs;
    size_t count, cap;
    int started;         /* an interval exists */
    int open;            /* counting since open_at */
    int64_t open_at;
    esc_sla_state final; /* 0 while going, else ESC_SLA_MET / ESC_SLA_STOPPED */
    int64_t end_at;      /* when it became final */
    /* the last time it was met (for the update clock: the last interval met) */
    int met;
    int64_t met_at, met_elapsed, met_target;
} walk_clock;

typedef struct clock_result {
    esc_sla_state state;
    int64_t target;
    int64_t deadline;
    int met;
    int64_t met_at;
    int64_t elapsed;
    int64_t margin;
    int breached;
    int64_t warn_at[ESC_SLA_WARNINGS_MAX];
    int warn_pct[ESC_SLA_WARNINGS_MAX];
    size_t warn_count;
} clock_result;

struct esc_sla_clocks {
    int64_t now;
    int priority;
    size_t warning_count;   /* the policy's, whether or not a clock applies */
    clock_result c[ESC_SLA_TARGET_COUNT];
};

typedef struct walk {
    const esc_sla_policy *pol;
    walk_clock clock[ESC_SLA_TARGET_COUNT];
    int priority;
    esc_hold hold;
    int paused;
    int resolved;   /* a resolution is recorded (until a reopen) */
    int closed;
    int responded;  /* a first update was sent */
} walk;

/* ---- business time --------------------------------------------------------------- */

static int counted_between(const esc_sla_policy *pol, int64_t a, int64_t b, int64_t *out)
{
    if (pol->calendar == NULL) {
        *out = b - a;
        return ESC_OK;
    }
    int64_t total = 0;
    while (a < b) {
        int64_t to = b - a > SPAN_MAX ? a + SPAN_MAX : b;
        int64_t part;
        int rc = esc_calendar_business_between(&part, pol->calendar, a, to);
        if (rc != ESC_OK)
            return rc;
        total += part;
        a = to;
    }
    *out = total;
    return ESC_OK;
}

static int counted_add(const esc_sla_policy *pol, int64_t from, int64_t ms, int64_t *out)
{
    if (pol->calendar == NULL) {
        *out = from + ms;
        return ESC_OK;
    }
    return esc_calendar_add_business(out, pol->calendar, from, ms);
}

/* ---- walking ----------------------------------------------------------------------- */

static int close_segment(walk_clock *c, int64_t at)
{
    if (!c->open)
        return ESC_OK;
    c->open = 0;
    if (at <= c->open_at)
        return ESC_OK;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        segment *segs = realloc(c->segs, cap * sizeof *segs);
        if (segs == NULL)
            return ESC_ENOMEM;
        c->segs = segs;
        c->cap = cap;
    }
    c->segs[c->count].a = c->open_at;
    c->segs[c->count].b = at;
    c->count++;
    return ESC_OK;
}

static void open_segment(walk *w, walk_clock *c, int64_t at)
{
    if (!w->paused && c->started && !c->final && !c->open) {
        c->open = 1;
        c->open_at = at;
    }
}

/* Start a fresh interval (counting from zero). */
static int start_clock(walk *w, walk_clock *c, int64_t at)
{
    c->count = 0;
    c->open = 0;
    c->started = 1;
    c->final = 0;
    c->end_at = 0;
    open_segment(w, c, at);
    return ESC_OK;
}

static int closed_elapsed(const esc_sla_policy *pol, const walk_clock *c, int64_t *out)
{
    int64_t total = 0;
    for (size_t i = 0; i < c->count; i++) {
        int64_t part;
        int rc = counted_between(pol, c->segs[i].a, c->segs[i].b, &part);
        if (rc != ESC_OK)
            return rc;
        total += part;
    }
    *out = total;
    return ESC_OK;
}

static int finish_clock(walk *w, walk_clock *c, int64_t at, esc_sla_state how)
{
    int rc;
    (void)w;
    if (!c->started || c->final)
        return ESC_OK;
    if ((rc = close_segment(c, at)) != ESC_OK)
        return rc;
    c->final = how;
    c->end_at = at;
    return ESC_OK;
}

/* Record that the current interval was met at `at` (the clock's open
 * segment already closed). */
static int record_met(walk *w, walk_clock *c, esc_sla_target t, int64_t at)
{
    int64_t elapsed;
    int rc = closed_elapsed(w->pol, c, &elapsed);
    if (rc != ESC_OK)
        return rc;
    c->met = 1;
    c->met_at = at;
    c->met_elapsed = elapsed;
    c->met_target = w->pol->target[w->priority][t];
    return ESC_OK;
}

static int pause_all(walk *w, int64_t at)
{
    w->paused = 1;
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++) {
        int rc = close_segment(&w->clock[t], at);
        if (rc != ESC_OK)
            return rc;
    }
    return ESC_OK;
}

static void resume_all(walk *w, int64_t at)
{
    w->paused = 0;
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++)
        open_segment(w, &w->clock[t], at);
}

static int payload_int(const esc_event *ev, const char *key, int64_t *out)
{
    const char *text = esc_event_payload(ev);
    esc_json_object obj;
    if (text == NULL)
        return ESC_ECORRUPT;
    int rc = esc__json_parse(&obj, text, strlen(text));
    if (rc == -2)
        return ESC_ENOMEM;
    if (rc != 0)
        return ESC_ECORRUPT;
    const esc_json_field *f = esc__json_get(&obj, key);
    int found = f != NULL && f->type == ESC_JSON_INT;
    if (found)
        *out = f->number;
    esc__json_object_free(&obj);
    return found ? ESC_OK : ESC_ECORRUPT;
}

static int set_priority(walk *w, const esc_event *ev, const char *key)
{
    int64_t p;
    int rc = payload_int(ev, key, &p);
    if (rc != ESC_OK)
        return rc;
    if (p < ESC_SLA_PRIORITY_MIN || p > ESC_SLA_PRIORITY_MAX)
        return ESC_ECORRUPT;
    w->priority = (int)p;
    return ESC_OK;
}

static int step(walk *w, const esc_event *ev, int64_t at)
{
    walk_clock *first = &w->clock[ESC_SLA_FIRST_RESPONSE];
    walk_clock *update = &w->clock[ESC_SLA_UPDATE];
    walk_clock *resolution = &w->clock[ESC_SLA_RESOLUTION];
    int rc = ESC_OK;
    if (w->closed)
        return ESC_OK;  /* nothing happens after close or withdraw */
    switch (esc_event_action(ev)) {
    case ESC_ACTION_OPEN:
        if ((rc = set_priority(w, ev, "open_priority")) != ESC_OK)
            return rc;
        start_clock(w, first, at);
        start_clock(w, resolution, at);
        break;
    case ESC_ACTION_REASSESS:
        rc = set_priority(w, ev, "priority");
        break;
    case ESC_ACTION_HOLD: {
        int64_t kind;
        if ((rc = payload_int(ev, "hold", &kind)) != ESC_OK)
            return rc;
        if (kind <= ESC_HOLD_NONE || kind >= ESC_HOLD_COUNT)
            return ESC_ECORRUPT;
        w->hold = (esc_hold)kind;
        if (w->pol->pauses[kind] && !w->paused)
            rc = pause_all(w, at);
        else if (!w->pol->pauses[kind] && w->paused)
            resume_all(w, at);
        break;
    }
    case ESC_ACTION_RESUME:
        w->hold = ESC_HOLD_NONE;
        if (w->paused)
            resume_all(w, at);
        break;
    case ESC_ACTION_SEND_UPDATE:
        if (!w->responded) {
            w->responded = 1;
            if (first->started && !first->final) {
                if ((rc = finish_clock(w, first, at, ESC_SLA_MET)) != ESC_OK ||
                    (rc = record_met(w, first, ESC_SLA_FIRST_RESPONSE, at)) != ESC_OK)
                    return rc;
            }
        } else if (update->started && !update->final) {
            if ((rc = close_segment(update, at)) != ESC_OK ||
                (rc = record_met(w, update, ESC_SLA_UPDATE, at)) != ESC_OK)
                return rc;
        }
        if (!w->resolved)
            start_clock(w, update, at);
        break;
    case ESC_ACTION_RECORD_RESOLUTION:
        w->resolved = 1;
        if (resolution->started && !resolution->final) {
            if ((rc = finish_clock(w, resolution, at, ESC_SLA_MET)) != ESC_OK ||
                (rc = record_met(w, resolution, ESC_SLA_RESOLUTION, at)) != ESC_OK)
                return rc;
        }
        rc = finish_clock(w, update, at, ESC_SLA_STOPPED);
        break;
    case ESC_ACTION_REOPEN:
        w->resolved = 0;
        /* Resolution goes on from where it was: segments kept. */
        resolution->final = 0;
        resolution->end_at = 0;
        resolution->met = 0;
        open_segment(w, resolution, at);
        if (w->responded)
            start_clock(w, update, at);
        break;
    case ESC_ACTION_CLOSE:
    case ESC_ACTION_WITHDRAW:
        for (int t = 0; t < ESC_SLA_TARGET_COUNT && rc == ESC_OK; t++)
            rc = finish_clock(w, &w->clock[t], at, ESC_SLA_STOPPED);
        w->closed = 1;
        break;
    default:
        break;
    }
    if (rc != ESC_OK)
        return rc;
    /* Nobody waits on a resolved or closed escalation: the hold is cleared
     * (as the lifecycle does), and a first response is no longer owed. */
    if (esc_event_to_state(ev) >= ESC_STATE_RESOLVED) {
        w->hold = ESC_HOLD_NONE;
        if (w->paused)
            resume_all(w, at);
        rc = finish_clock(w, first, at, ESC_SLA_STOPPED);
    }
    return rc;
}

/* ---- reading the clocks off the segments ----------------------------------------- */

/* The instant at which clock c's counted time reaches x (> 0): within its
 * closed segments, or projected from its open one; 0 when not reached
 * and not counting. */
static int reach(const esc_sla_policy *pol, const walk_clock *c, int64_t x, int64_t *out)
{
    int64_t cum = 0;
    int rc;
    *out = 0;
    for (size_t i = 0; i < c->count; i++) {
        int64_t part;
        if ((rc = counted_between(pol, c->segs[i].a, c->segs[i].b, &part)) != ESC_OK)
            return rc;
        if (part > 0 && cum + part >= x) {
            int64_t r;
            if ((rc = counted_add(pol, c->segs[i].a, x - cum, &r)) != ESC_OK)
                return rc;
            *out = r < c->segs[i].b ? r : c->segs[i].b;
            return ESC_OK;
        }
        cum += part;
    }
    if (c->open)
        return counted_add(pol, c->open_at, x - cum, out);
    return ESC_OK;
}

static int result_of(const walk *w, esc_sla_target t, int64_t now, clock_result *r)
{
    const esc_sla_policy *pol = w->pol;
    const walk_clock *c = &w->clock[t];
    int rc;
    memset(r, 0, sizeof *r);
    r->target = pol->target[w->priority][t];
    if (r->target == 0 || !c->started)
        return ESC_OK;  /* ESC_SLA_NONE */

    int64_t elapsed;
    if ((rc = closed_elapsed(pol, c, &elapsed)) != ESC_OK)
        return rc;
    if (c->open) {
        int64_t part;
        if ((rc = counted_between(pol, c->open_at, now, &part)) != ESC_OK)
            return rc;
        elapsed += part;
    }
    r->elapsed = elapsed;
    int64_t deadline;
    if ((rc = reach(pol, c, r->target, &deadline)) != ESC_OK)
        return rc;

    if (c->final == ESC_SLA_MET) {
        r->state = ESC_SLA_MET;
        r->elapsed = c->met_elapsed;
    } else if (c->final == ESC_SLA_STOPPED) {
        r->state = ESC_SLA_STOPPED;
    } else {
        r->state = c->open ? ESC_SLA_RUNNING : ESC_SLA_PAUSED;
    }
    r->met = c->met;
    r->met_at = c->met ? c->met_at : 0;
    if (c->met)
        r->margin = c->met_target - c->met_elapsed;
    else
        r->margin = r->target - r->elapsed;

    switch (r->state) {
    case ESC_SLA_RUNNING:
    case ESC_SLA_PAUSED:
        r->deadline = deadline;
        r->breached = deadline != 0 && now >= deadline;
        break;
    case ESC_SLA_MET:
        /* Met while its priority had no target: nothing to be late for. */
        if (c->met && c->met_target == 0)
            r->margin = 0;
        r->breached = r->margin < 0;
        break;
    default: /* stopped */
        r->breached = deadline != 0 && c->end_at >= deadline;
        break;
    }
    if (t == ESC_SLA_UPDATE && r->state == ESC_SLA_STOPPED)
        r->breached = deadline != 0 && c->end_at > deadline;

    r->warn_count = pol->warning_count;
    for (size_t i = 0; i < pol->warning_count; i++) {
        r->warn_pct[i] = pol->warnings[i];
        int64_t x = r->target / 100 * pol->warnings[i] + r->target % 100 * pol->warnings[i] / 100;
        if (x <= 0)
            continue;
        if (r->state == ESC_SLA_MET || r->state == ESC_SLA_STOPPED) {
            /* only those reached before the end */
            int64_t at;
            if ((rc = reach(pol, c, x, &at)) != ESC_OK)
                return rc;
            r->warn_at[i] = at;
        } else if ((rc = reach(pol, c, x, &r->warn_at[i])) != ESC_OK) {
            return rc;
        }
    }
    return ESC_OK;
}

/* ---- the public functions ------------------------------------------------------------ */

static void walk_free(walk *w)
{
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++)
        free(w->clock[t].segs);
}

/* The list must be one escalation's whole history. */
static int check_history(const esc_event_list *history, size_t n)
{
    const esc_event *first = esc_event_list_get(history, 0);
    if (first == NULL || esc_event_action(first) != ESC_ACTION_OPEN)
        return ESC_ECORRUPT;
    const char *id = esc_event_escalation_id(first);
    if (id == NULL)
        return ESC_ECORRUPT;
    for (size_t i = 0; i < n; i++) {
        const esc_event *ev = esc_event_list_get(history, i);
        if (ev == NULL || esc_event_seq(ev) != (int64_t)i + 1)
            return ESC_ECORRUPT;
        if (i > 0 && esc_event_action(ev) == ESC_ACTION_OPEN)
            return ESC_ECORRUPT;
        const char *eid = esc_event_escalation_id(ev);
        if (eid == NULL || strcmp(eid, id) != 0)
            return ESC_ECORRUPT;
        if ((int)esc_event_action(ev) < 0 || (int)esc_event_action(ev) >= ESC_ACTION_COUNT)
            return ESC_ECORRUPT;
    }
    return ESC_OK;
}

ESC_EXTERN(int) esc_sla_evaluate(esc_sla_clocks **out, const esc_sla_policy *pol,
                                 const esc_event_list *history, int64_t now)
{
    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (pol == NULL || history == NULL)
        return ESC_EINVAL;
    size_t n = esc_event_list_count(history);
    if (n == 0)
        return ESC_EINVAL;
    /* The calendar's range bounds wall time too: it keeps every difference
     * and sum of two instants and a duration far from int64 overflow. */
    if (now < ESC_CALENDAR_TIME_MIN || now > ESC_CALENDAR_TIME_MAX)
        return ESC_EINVAL;
    int rc = check_history(history, n);
    if (rc != ESC_OK)
        return rc;

    walk w;
    memset(&w, 0, sizeof w);
    w.pol = pol;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < n && rc == ESC_OK; i++) {
        const esc_event *ev = esc_event_list_get(history, i);
        int64_t at = esc_event_at(ev);
        if (at < last)
            at = last;  /* a clock that went back: no negative spans */
        last = at;
        if (at < ESC_CALENDAR_TIME_MIN || at > ESC_CALENDAR_TIME_MAX)
            rc = ESC_ECORRUPT;
        else
            rc = step(&w, ev, at);
    }
    if (rc == ESC_OK && now < last)
        rc = ESC_EINVAL;
    esc_sla_clocks *clocks = NULL;
    if (rc == ESC_OK && (clocks = calloc(1, sizeof *clocks)) == NULL)
        rc = ESC_ENOMEM;
    if (rc == ESC_OK) {
        clocks->now = now;
        clocks->priority = w.priority;
        clocks->warning_count = pol->warning_count;
        for (int t = 0; t < ESC_SLA_TARGET_COUNT && rc == ESC_OK; t++)
            rc = result_of(&w, (esc_sla_target)t, now, &clocks->c[t]);
    }
    walk_free(&w);
    if (rc != ESC_OK) {
        free(clocks);
        return rc;
    }
    *out = clocks;
    return ESC_OK;
}

ESC_EXTERN(void) esc_sla_clocks_free(esc_sla_clocks *clocks)
{
    free(clocks);
}

static const clock_result *get(const esc_sla_clocks *clocks, esc_sla_target t)
{
    if (clocks == NULL || (int)t < 0 || (int)t >= ESC_SLA_TARGET_COUNT)
        return NULL;
    return &clocks->c[t];
}

ESC_EXTERN(int64_t) esc_sla_clocks_now(const esc_sla_clocks *clocks)
{
    return clocks != NULL ? clocks->now : 0;
}

ESC_EXTERN(int) esc_sla_clocks_priority(const esc_sla_clocks *clocks)
{
    return clocks != NULL ? clocks->priority : 0;
}

ESC_EXTERN(esc_sla_state) esc_sla_clocks_state(const esc_sla_clocks *clocks,
                                               esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return r != NULL ? r->state : ESC_SLA_NONE;
}

ESC_EXTERN(int) esc_sla_clocks_applies(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return r != NULL && r->state != ESC_SLA_NONE;
}

#define APPLYING(r) ((r) != NULL && (r)->state != ESC_SLA_NONE)

ESC_EXTERN(int64_t) esc_sla_clocks_target_ms(const esc_sla_clocks *clocks,
                                             esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return r != NULL ? r->target : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_deadline(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->deadline : 0;
}

ESC_EXTERN(int) esc_sla_clocks_paused(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return r != NULL && r->state == ESC_SLA_PAUSED;
}

ESC_EXTERN(int) esc_sla_clocks_met(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->met : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_met_at(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->met_at : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_elapsed_ms(const esc_sla_clocks *clocks,
                                              esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->elapsed : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_margin_ms(const esc_sla_clocks *clocks,
                                             esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->margin : 0;
}

ESC_EXTERN(int) esc_sla_clocks_breached(const esc_sla_clocks *clocks, esc_sla_target target)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) ? r->breached : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_next_warning(const esc_sla_clocks *clocks,
                                                esc_sla_target target, int *out_percent)
{
    const clock_result *r = get(clocks, target);
    if (out_percent != NULL)
        *out_percent = 0;
    if (r == NULL || r->state != ESC_SLA_RUNNING)
        return 0;
    for (size_t i = 0; i < r->warn_count; i++) {
        if (r->warn_at[i] > clocks->now) {
            if (out_percent != NULL)
                *out_percent = r->warn_pct[i];
            return r->warn_at[i];
        }
    }
    return 0;
}

ESC_EXTERN(size_t) esc_sla_clocks_warning_count(const esc_sla_clocks *clocks)
{
    return clocks ? clocks->warning_count : 0;
}

ESC_EXTERN(int64_t) esc_sla_clocks_warning_at(const esc_sla_clocks *clocks,
                                              esc_sla_target target, size_t index)
{
    const clock_result *r = get(clocks, target);
    return APPLYING(r) && index < r->warn_count ? r->warn_at[index] : 0;
}
