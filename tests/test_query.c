/*
 * test_query.c — reading escalations back: esc_escalation_list_query()
 * (every filter alone and in pairs, the three orders, pagination, the limit
 * rules, the NULL filter), esc_history() (events in order with the right
 * fields), esc_escalation_get_by_ref(), and what esc_escalation_due_at()
 * means.
 *
 * The list tests build a population of escalations from a spec and keep,
 * next to them, a model of what each one must look like; expected results
 * are computed from that model, never from the library's own answers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escalate.h"
#include "testutil.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building a population --------------------------------------------------- */

#define POPULATION 30
#define MAX_TAGS 3

static const char *const customers[] = { "cust-a", "cust-b", "cust-c", "cust-d", "cust-e" };
static const esc_person owners[] = {
    { "own-a", "Ann Owner", 1 },
    { "own-b", "Bob Owner", 2 },
    { "own-c", "Cy Owner", 3 },
};

/* The default matrix, written out here so the expected priority does not
 * come from the library (rows: impact 1..4, columns: urgency 1..4). */
static const int default_matrix[4][4] = {
    { 5, 5, 4, 3 },
    { 5, 4, 3, 2 },
    { 4, 3, 2, 1 },
    { 3, 2, 1, 1 },
};

static int expected_priority(int impact, int urgency, int raised)
{
    int p = default_matrix[impact - 1][urgency - 1];
    return (raised && p > 1) ? p - 1 : p;
}

/* What one escalation of the population must look like. */
typedef struct model {
    char id[37];
    esc_state state;
    const char *owner;              /* NULL: no owner */
    int tier;
    int priority;
    const char *tags[MAX_TAGS];
    int ntags;
    const char *customer;
    int64_t created;
    int64_t due;                    /* computed by the documented rule */
} model;

typedef struct population {
    test_clock clock;
    esc_db *db;
    model m[POPULATION];
} population;

static esc_action action(esc_action_kind kind)
{
    esc_action a;
    ck_assert_int_eq(esc_action_init(&a, ESC_ACTION_VERSION, kind), ESC_OK);
    a.actor = LEADER;   /* enough authority for anything */
    return a;
}

static void act_text(esc_db *db, esc_escalation *esc, esc_action_kind kind, const char *text)
{
    esc_action a = action(kind);
    a.text = text;
    test_must(db, esc, &a);
}

/* Escalation i of the population: a spread of states, owners, tiers,
 * priorities, tags, customers, promises and follow-ups. */
static void build_one(population *pop, int i)
{
    model *m = &pop->m[i];
    esc_db *db = pop->db;
    esc_state target = (esc_state)(i % ESC_STATE_COUNT);
    int impact = 1 + i % 4, urgency = 1 + (i / 4) % 4, vip = i % 5 == 2;
    int64_t promise_at = T0 + DAY + ((i * 7) % POPULATION) * HOUR;
    int64_t follow_up_at = T0 + 12 * HOUR + ((i * 11) % POPULATION) * HOUR + 30 * MINUTE;
    int follow_up = i % 3 != 1, follow_up_done = i % 4 == 0;
    int promised = 0, follow_up_pending = 0;

    pop->clock.now = T0 + i * MINUTE;
    memset(m, 0, sizeof *m);
    m->created = pop->clock.now;
    m->customer = customers[(i * 3) % COUNT_OF(customers)];
    m->priority = expected_priority(impact, urgency, vip);
    m->tier = 1 + (i / 2) % 4;

    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "The parcel never arrived.";
    p.customer_id = m->customer;
    p.impact = impact;
    p.urgency = urgency;
    p.vip = vip;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);
    snprintf(m->id, sizeof m->id, "%s", esc_escalation_id(esc));

    if (i % 9 == 4) {
        esc_action a = action(ESC_ACTION_REASSESS);
        a.impact = 4;
        a.urgency = 4;
        test_must(db, esc, &a);
        m->priority = 1;
    }
    if (m->tier != 1) {
        esc_action a = action(ESC_ACTION_MOVE_TIER);
        a.tier = m->tier;
        a.brief_went_wrong = "Lost parcel.";
        a.brief_tried = "Carrier trace.";
        a.brief_response = "Upset.";
        test_must(db, esc, &a);
    }
    /* Tag 'urgent' may land twice on one escalation: it must still be
     * listed once. */
    if (i % 3 == 0)
        m->tags[m->ntags++] = "billing";
    if (i % 3 == 1) {
        m->tags[m->ntags++] = "shipping";
        m->tags[m->ntags++] = "urgent";
    }
    if (i % 5 == 0)
        m->tags[m->ntags++] = "urgent";
    for (int t = 0; t < m->ntags; t++)
        act_text(db, esc, ESC_ACTION_TAG, m->tags[t]);

    if (target == ESC_STATE_CLOSED && i % 2 == 0) {
        /* Withdrawn straight from listen: closed, no owner, nothing due. */
        act_text(db, esc, ESC_ACTION_WITHDRAW, "Duplicate of another escalation.");
    } else if (target != ESC_STATE_LISTEN) {
        esc_action a = action(ESC_ACTION_NOTE);
        a.text = "It was a birthday present.";
        a.customer_account = 1;
        test_must(db, esc, &a);
        a = action(ESC_ACTION_ADVANCE);
        test_must(db, esc, &a);
        act_text(db, esc, ESC_ACTION_STATE_PROBLEM, "The parcel was lost by the carrier.");
        if (target != ESC_STATE_CLARIFY) {
            a = action(ESC_ACTION_CONFIRM_PROBLEM);
            a.yes = 1;
            test_must(db, esc, &a);
        }
        if (target == ESC_STATE_CLARIFY) {
            /* stays in clarify, the statement not yet confirmed */
        } else if (target == ESC_STATE_PLAN) {
            if (i % 2 == 0) {
                a = action(ESC_ACTION_PROMISE);
                a.at = promise_at;
                test_must(db, esc, &a);
                promised = 1;
            }
        } else {
            act_text(db, esc, ESC_ACTION_ADD_STEP, "Ship a replacement.");
            a = action(ESC_ACTION_PROMISE);
            a.at = promise_at;
            test_must(db, esc, &a);
            promised = 1;
            a = action(ESC_ACTION_TAKE_OWNERSHIP);
            a.person = owners[i % COUNT_OF(owners)];
            test_must(db, esc, &a);
            m->owner = owners[i % COUNT_OF(owners)].id;
            if (follow_up) {
                a = action(ESC_ACTION_SCHEDULE_FOLLOW_UP);
                a.at = follow_up_at;
                a.text = "Call back about the replacement.";
                test_must(db, esc, &a);
                follow_up_pending = 1;
                if (follow_up_done) {
                    a = action(ESC_ACTION_COMPLETE_FOLLOW_UP);
                    a.item = 1;
                    a.yes = 1;
                    a.text = "Reached the customer.";
                    test_must(db, esc, &a);
                    follow_up_pending = 0;
                }
            }
            if (target >= ESC_STATE_FOLLOW_UP)
                act_text(db, esc, ESC_ACTION_RECORD_RESOLUTION, "Replacement delivered.");
            if (target >= ESC_STATE_RESOLVED) {
                a = action(ESC_ACTION_CONFIRM_RESOLVED);
                a.yes = 1;
                test_must(db, esc, &a);
            }
            if (target == ESC_STATE_CLOSED) {
                a = action(ESC_ACTION_CLOSE);
                a.category = "carrier";
                a.text = "Carrier lost the parcel.";
                test_must(db, esc, &a);
            }
        }
    }
    m->state = target;
    ck_assert_int_eq(esc_escalation_state(esc), target);

    /* The documented rule: the promised time is owed until a resolution is
     * recorded (states up to own), each follow-up until it is completed;
     * the earliest counts; a closed escalation owes nothing. */
    m->due = 0;
    if (target != ESC_STATE_CLOSED) {
        if (promised && target <= ESC_STATE_OWN)
            m->due = promise_at;
        if (follow_up_pending && (m->due == 0 || follow_up_at < m->due))
            m->due = follow_up_at;
    }
    esc_escalation_free(esc);
}

static void build_population(population *pop)
{
    pop->clock.now = T0;
    pop->db = test_open_fresh(&pop->clock);
    for (int i = 0; i < POPULATION; i++)
        build_one(pop, i);
}

static const model *find_model(const population *pop, const char *id)
{
    for (int i = 0; i < POPULATION; i++)
        if (strcmp(pop->m[i].id, id) == 0)
            return &pop->m[i];
    return NULL;
}

/* ---- filters ------------------------------------------------------------------- */

typedef enum dim { D_STATE, D_OWNER, D_TIER, D_PRIORITY, D_TAG, D_CUSTOMER, D_OPEN, D_COUNT } dim;

static const char *const dim_names[D_COUNT] = {
    "state", "owner", "tier", "priority", "tag", "customer", "open",
};
/* Values that match nobody are included: a filter must be able to say "none". */
static const char *const owner_values[] = { "own-a", "own-b", "own-c", "nobody" };
static const char *const tag_values[] = { "billing", "shipping", "urgent", "none-such" };
static const char *const customer_values[] = { "cust-a", "cust-b", "cust-c", "cust-d", "cust-e",
                                               "cust-z" };
static const int open_values[] = { ESC_FILTER_OPEN, ESC_FILTER_CLOSED };

static int dim_size(dim d)
{
    switch (d) {
    case D_STATE: return ESC_STATE_COUNT;
    case D_OWNER: return (int)COUNT_OF(owner_values);
    case D_TIER: return 5;         /* tier 5 is a valid filter nobody is on */
    case D_PRIORITY: return 5;
    case D_TAG: return (int)COUNT_OF(tag_values);
    case D_CUSTOMER: return (int)COUNT_OF(customer_values);
    case D_OPEN: return (int)COUNT_OF(open_values);
    case D_COUNT: break;
    }
    return 0;
}

typedef struct criterion {
    dim d;
    int v;   /* index into the dimension's values */
} criterion;

static void set_criterion(esc_filter *f, criterion c)
{
    switch (c.d) {
    case D_STATE: f->state = c.v; break;
    case D_OWNER: f->owner_id = owner_values[c.v]; break;
    case D_TIER: f->tier = c.v + 1; break;
    case D_PRIORITY: f->priority = c.v + 1; break;
    case D_TAG: f->tag = tag_values[c.v]; break;
    case D_CUSTOMER: f->customer_id = customer_values[c.v]; break;
    case D_OPEN: f->open = open_values[c.v]; break;
    case D_COUNT: break;
    }
}

static int has_tag(const model *m, const char *tag)
{
    for (int t = 0; t < m->ntags; t++)
        if (strcmp(m->tags[t], tag) == 0)
            return 1;
    return 0;
}

static int matches(const model *m, criterion c)
{
    switch (c.d) {
    case D_STATE: return (int)m->state == c.v;
    case D_OWNER: return m->owner != NULL && strcmp(m->owner, owner_values[c.v]) == 0;
    case D_TIER: return m->tier == c.v + 1;
    case D_PRIORITY: return m->priority == c.v + 1;
    case D_TAG: return has_tag(m, tag_values[c.v]);
    case D_CUSTOMER: return strcmp(m->customer, customer_values[c.v]) == 0;
    case D_OPEN:
        return open_values[c.v] == ESC_FILTER_OPEN ? m->state != ESC_STATE_CLOSED
                                                   : m->state == ESC_STATE_CLOSED;
    case D_COUNT: break;
    }
    return 0;
}

static void describe(char *buf, size_t size, const criterion *c, size_t n, esc_order order)
{
    size_t used = (size_t)snprintf(buf, size, "order %d:", (int)order);
    for (size_t k = 0; k < n && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, " %s=%d", dim_names[c[k].d], c[k].v);
}

static int by_priority(const void *a, const void *b)
{
    const model *x = *(const model *const *)a, *y = *(const model *const *)b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    return x->created < y->created ? -1 : x->created > y->created;
}

static int by_created(const void *a, const void *b)
{
    const model *x = *(const model *const *)a, *y = *(const model *const *)b;
    return x->created < y->created ? -1 : x->created > y->created;
}

/* Earliest due first, nothing due last; among the nothing-due the order is
 * not documented, so the comparison below treats that tail as a set. */
static int by_due(const void *a, const void *b)
{
    const model *x = *(const model *const *)a, *y = *(const model *const *)b;
    if ((x->due == 0) != (y->due == 0))
        return x->due == 0 ? 1 : -1;
    return x->due < y->due ? -1 : x->due > y->due;
}

/* The row's fields agree with the model. */
static void check_row(const esc_escalation *row, const model *m, const char *what)
{
    ck_assert_msg(m != NULL, "%s: listed an unknown escalation %s", what, esc_escalation_id(row));
    ck_assert_int_eq(esc_escalation_state(row), m->state);
    ck_assert_int_eq(esc_escalation_tier(row), m->tier);
    ck_assert_int_eq(esc_escalation_priority(row), m->priority);
    ck_assert_str_eq(esc_escalation_customer_id(row), m->customer);
    ck_assert_str_eq(esc_escalation_owner_id(row), m->owner ? m->owner : "");
    ck_assert_int_eq(esc_escalation_created_at(row), m->created);
    ck_assert_msg(esc_escalation_due_at(row) == m->due, "%s: %s due %lld, expected %lld", what,
                  m->id, (long long)esc_escalation_due_at(row), (long long)m->due);
    ck_assert_int_eq(esc_escalation_is_open(row), m->state != ESC_STATE_CLOSED);
    /* Listed snapshots carry their items. */
    ck_assert_uint_eq(esc_escalation_item_count(row, ESC_ITEM_TAG), (size_t)m->ntags);
}

/* Run one filter and compare with the model, order included. */
static void check_filter(const population *pop, const criterion *c, size_t n, esc_order order)
{
    char what[256];
    const model *expected[POPULATION];
    size_t count = 0;

    describe(what, sizeof what, c, n, order);
    esc_filter f = ESC_FILTER_INIT;
    f.order = order;
    f.limit = ESC_LIST_LIMIT_MAX;
    for (size_t k = 0; k < n; k++)
        set_criterion(&f, c[k]);
    for (int i = 0; i < POPULATION; i++) {
        int all = 1;
        for (size_t k = 0; k < n && all; k++)
            all = matches(&pop->m[i], c[k]);
        if (all)
            expected[count++] = &pop->m[i];
    }
    qsort(expected, count, sizeof expected[0],
          order == ESC_ORDER_PRIORITY ? by_priority : order == ESC_ORDER_DUE ? by_due : by_created);

    esc_escalation_list *list = NULL;
    int rc = esc_escalation_list_query(&list, pop->db, &f);
    ck_assert_msg(rc == ESC_OK, "%s: %s %s", what, esc_status_name(rc), esc_db_errmsg(pop->db));
    ck_assert_msg(esc_escalation_list_count(list) == count, "%s: %zu rows, expected %zu", what,
                  esc_escalation_list_count(list), count);
    for (size_t r = 0; r < count; r++) {
        const esc_escalation *row = esc_escalation_list_get(list, r);
        ck_assert_ptr_nonnull(row);
        const model *m = find_model(pop, esc_escalation_id(row));
        check_row(row, m, what);
        for (size_t k = 0; k < n; k++)
            ck_assert_msg(matches(m, c[k]), "%s: row %zu does not match", what, r);
        /* Each expected escalation exactly once. */
        for (size_t q = 0; q < r; q++)
            ck_assert_msg(strcmp(esc_escalation_id(esc_escalation_list_get(list, q)), m->id) != 0,
                          "%s: %s listed twice", what, m->id);
        if (order != ESC_ORDER_DUE || expected[r]->due != 0)
            ck_assert_msg(m == expected[r], "%s: row %zu is %s, expected %s", what, r, m->id,
                          expected[r]->id);
        else
            ck_assert_msg(m->due == 0, "%s: row %zu is due, expected the nothing-due tail", what,
                          r);
    }
    ck_assert_ptr_null(esc_escalation_list_get(list, count));
    esc_escalation_list_free(list);
}

/* The population is shared by the list tests; built once per test because
 * each test may run in its own process. */
static population *new_population(void)
{
    population *pop = calloc(1, sizeof *pop);
    ck_assert_ptr_nonnull(pop);
    build_population(pop);
    return pop;
}

static void free_population(population *pop)
{
    esc_db_close(pop->db);
    free(pop);
}

/* The population is as spread out as the tests need it to be. */
START_TEST(test_population_is_varied)
{
    population *pop = new_population();
    for (int d = 0; d < D_COUNT; d++) {
        int hits = 0;
        for (int v = 0; v < dim_size((dim)d); v++) {
            int n = 0;
            for (int i = 0; i < POPULATION; i++)
                n += matches(&pop->m[i], (criterion){ (dim)d, v });
            hits += n > 0 && n < POPULATION;
        }
        ck_assert_msg(hits >= 2, "dimension %s does not split the population", dim_names[d]);
    }
    /* Distinct non-zero due times, so the due order is fully determined. */
    int due = 0;
    for (int i = 0; i < POPULATION; i++) {
        if (pop->m[i].due == 0)
            continue;
        due++;
        for (int j = 0; j < i; j++)
            ck_assert(pop->m[j].due != pop->m[i].due);
    }
    ck_assert_int_ge(due, 5);
    ck_assert_int_lt(due, POPULATION);
    free_population(pop);
}
END_TEST

START_TEST(test_filter_each_alone)
{
    population *pop = new_population();
    check_filter(pop, NULL, 0, ESC_ORDER_PRIORITY);
    for (int d = 0; d < D_COUNT; d++)
        for (int v = 0; v < dim_size((dim)d); v++)
            for (int o = ESC_ORDER_PRIORITY; o <= ESC_ORDER_CREATED; o++)
                check_filter(pop, &(criterion){ (dim)d, v }, 1, (esc_order)o);
    free_population(pop);
}
END_TEST

/* Every pair of dimensions with every pair of values. */
START_TEST(test_filter_pairs)
{
    population *pop = new_population();
    for (int d1 = 0; d1 < D_COUNT; d1++)
        for (int d2 = d1 + 1; d2 < D_COUNT; d2++)
            for (int v1 = 0; v1 < dim_size((dim)d1); v1++)
                for (int v2 = 0; v2 < dim_size((dim)d2); v2++) {
                    criterion c[2] = { { (dim)d1, v1 }, { (dim)d2, v2 } };
                    check_filter(pop, c, 2, (esc_order)((d1 + v1 + v2) % 3));
                }
    free_population(pop);
}
END_TEST

/* A few combinations of three and more, and all seven at once. */
START_TEST(test_filter_many)
{
    static const criterion combos[][D_COUNT] = {
        { { D_OPEN, 0 }, { D_TAG, 2 }, { D_TIER, 0 } },
        { { D_OPEN, 1 }, { D_OWNER, 1 }, { D_CUSTOMER, 1 } },
        { { D_STATE, 3 }, { D_OWNER, 0 }, { D_PRIORITY, 3 }, { D_TAG, 0 } },
        { { D_CUSTOMER, 0 }, { D_TAG, 2 }, { D_OPEN, 0 }, { D_TIER, 1 } },
        { { D_STATE, 6 }, { D_OPEN, 0 } },                 /* closed and open: nothing */
        { { D_STATE, 0 }, { D_OWNER, 0 } },                /* listening, yet owned: nothing */
    };
    static const size_t lengths[] = { 3, 3, 4, 4, 2, 2 };
    population *pop = new_population();
    for (size_t k = 0; k < COUNT_OF(combos); k++)
        for (int o = ESC_ORDER_PRIORITY; o <= ESC_ORDER_CREATED; o++)
            check_filter(pop, combos[k], lengths[k], (esc_order)o);
    /* Every dimension at once, for each escalation's own values: at least
     * that escalation comes back. */
    for (int i = 0; i < POPULATION; i++) {
        const model *m = &pop->m[i];
        criterion c[D_COUNT];
        size_t n = 0;
        c[n++] = (criterion){ D_STATE, (int)m->state };
        for (int v = 0; m->owner && v < (int)COUNT_OF(owner_values); v++)
            if (strcmp(owner_values[v], m->owner) == 0)
                c[n++] = (criterion){ D_OWNER, v };
        c[n++] = (criterion){ D_TIER, m->tier - 1 };
        c[n++] = (criterion){ D_PRIORITY, m->priority - 1 };
        for (int v = 0; m->ntags && v < (int)COUNT_OF(tag_values); v++)
            if (strcmp(tag_values[v], m->tags[0]) == 0)
                c[n++] = (criterion){ D_TAG, v };
        for (int v = 0; v < (int)COUNT_OF(customer_values); v++)
            if (strcmp(customer_values[v], m->customer) == 0)
                c[n++] = (criterion){ D_CUSTOMER, v };
        c[n++] = (criterion){ D_OPEN, m->state == ESC_STATE_CLOSED ? 1 : 0 };
        check_filter(pop, c, n, ESC_ORDER_CREATED);
    }
    free_population(pop);
}
END_TEST

/* ---- orders --------------------------------------------------------------------- */

/* NULL, the initial filter and the explicit priority order are one list. */
START_TEST(test_null_filter)
{
    population *pop = new_population();
    esc_escalation_list *a = NULL, *b = NULL;
    esc_filter f;
    ck_assert_int_eq(esc_filter_init(&f, ESC_FILTER_VERSION), ESC_OK);
    ck_assert_status(pop->db, esc_escalation_list_query(&a, pop->db, NULL), ESC_OK);
    ck_assert_status(pop->db, esc_escalation_list_query(&b, pop->db, &f), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(a), POPULATION);
    ck_assert_uint_eq(esc_escalation_list_count(b), POPULATION);
    for (size_t r = 0; r < POPULATION; r++)
        ck_assert_str_eq(esc_escalation_id(esc_escalation_list_get(a, r)),
                         esc_escalation_id(esc_escalation_list_get(b, r)));
    esc_escalation_list_free(a);
    esc_escalation_list_free(b);
    check_filter(pop, NULL, 0, ESC_ORDER_PRIORITY);
    free_population(pop);
}
END_TEST

START_TEST(test_orders_whole_population)
{
    population *pop = new_population();
    for (int o = ESC_ORDER_PRIORITY; o <= ESC_ORDER_CREATED; o++)
        check_filter(pop, NULL, 0, (esc_order)o);

    /* The due order once more, spelled out: non-decreasing due times, and
     * every nothing-due escalation after every due one. */
    esc_filter f = ESC_FILTER_INIT;
    f.order = ESC_ORDER_DUE;
    esc_escalation_list *list = NULL;
    ck_assert_status(pop->db, esc_escalation_list_query(&list, pop->db, &f), ESC_OK);
    int64_t last = 0;
    int seen_none = 0;
    for (size_t r = 0; r < esc_escalation_list_count(list); r++) {
        int64_t due = esc_escalation_due_at(esc_escalation_list_get(list, r));
        if (due == 0) {
            seen_none = 1;
            continue;
        }
        ck_assert_msg(!seen_none, "row %zu is due after a nothing-due row", r);
        ck_assert_int_ge(due, last);
        last = due;
    }
    ck_assert(seen_none);
    esc_escalation_list_free(list);
    free_population(pop);
}
END_TEST

/* ---- pagination ----------------------------------------------------------------- */

/* Walk the pages of f with the given page size; the concatenation must be
 * the single-page list, every row exactly once. */
static void check_pages(const population *pop, esc_filter f, size_t page)
{
    esc_escalation_list *whole = NULL;
    f.limit = ESC_LIST_LIMIT_MAX;
    f.offset = 0;
    ck_assert_status(pop->db, esc_escalation_list_query(&whole, pop->db, &f), ESC_OK);
    size_t total = esc_escalation_list_count(whole), seen = 0, pages = 0;

    f.limit = page;
    for (;;) {
        esc_escalation_list *list = NULL;
        f.offset = seen;
        ck_assert_status(pop->db, esc_escalation_list_query(&list, pop->db, &f), ESC_OK);
        size_t n = esc_escalation_list_count(list);
        ck_assert_uint_le(n, page);
        for (size_t r = 0; r < n; r++) {
            ck_assert_uint_lt(seen + r, total);
            ck_assert_str_eq(esc_escalation_id(esc_escalation_list_get(list, r)),
                             esc_escalation_id(esc_escalation_list_get(whole, seen + r)));
        }
        esc_escalation_list_free(list);
        seen += n;
        pages++;
        if (n < page)
            break;
        ck_assert_uint_le(pages, total + 1);
    }
    ck_assert_uint_eq(seen, total);
    ck_assert_uint_eq(pages, total / page + 1);
    for (size_t r = 0; r < total; r++)
        for (size_t q = 0; q < r; q++)
            ck_assert_str_ne(esc_escalation_id(esc_escalation_list_get(whole, r)),
                             esc_escalation_id(esc_escalation_list_get(whole, q)));
    esc_escalation_list_free(whole);
}

START_TEST(test_pagination)
{
    static const size_t pages[] = { 1, 2, 7, 10, POPULATION - 1, POPULATION, POPULATION + 1 };
    population *pop = new_population();
    for (int o = ESC_ORDER_PRIORITY; o <= ESC_ORDER_CREATED; o++) {
        for (size_t p = 0; p < COUNT_OF(pages); p++) {
            esc_filter f = ESC_FILTER_INIT;
            f.order = (esc_order)o;
            check_pages(pop, f, pages[p]);
            f.open = ESC_FILTER_OPEN;
            f.tag = "urgent";
            check_pages(pop, f, pages[p]);
        }
    }
    /* Everything from the whole list shows up, by id. */
    esc_filter f = ESC_FILTER_INIT;
    f.limit = 4;
    int found[POPULATION] = { 0 };
    for (f.offset = 0;; f.offset += f.limit) {
        esc_escalation_list *list = NULL;
        ck_assert_status(pop->db, esc_escalation_list_query(&list, pop->db, &f), ESC_OK);
        size_t n = esc_escalation_list_count(list);
        for (size_t r = 0; r < n; r++) {
            const model *m = find_model(pop, esc_escalation_id(esc_escalation_list_get(list, r)));
            ck_assert_ptr_nonnull(m);
            found[m - pop->m]++;
        }
        esc_escalation_list_free(list);
        if (n == 0)
            break;
    }
    for (int i = 0; i < POPULATION; i++)
        ck_assert_msg(found[i] == 1, "escalation %d seen %d times", i, found[i]);

    /* An offset past the end is an empty page, not an error. */
    esc_escalation_list *list = NULL;
    f.limit = 10;
    f.offset = 1000000;
    ck_assert_status(pop->db, esc_escalation_list_query(&list, pop->db, &f), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 0);
    ck_assert_ptr_null(esc_escalation_list_get(list, 0));
    esc_escalation_list_free(list);
    free_population(pop);
}
END_TEST

/* ---- limits ---------------------------------------------------------------------- */

START_TEST(test_limits)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    /* More than the default page, in one batch to keep it quick. */
    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    for (int i = 0; i < 105; i++) {
        clock.now = T0 + i;
        esc_escalation *esc = test_new_escalation(db);
        esc_escalation_free(esc);
    }
    ck_assert_status(db, esc_db_batch_commit(db), ESC_OK);

    static const struct {
        size_t limit, offset, expected;
    } cases[] = {
        { 0, 0, 100 },        /* 0 means the default, 100 */
        { 0, 100, 5 },
        { 1, 0, 1 },
        { 100, 0, 100 },
        { 101, 0, 101 },
        { ESC_LIST_LIMIT_MAX, 0, 105 },
        { ESC_LIST_LIMIT_MAX, 104, 1 },
        { ESC_LIST_LIMIT_MAX, 105, 0 },
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        esc_filter f = ESC_FILTER_INIT;
        f.limit = cases[i].limit;
        f.offset = cases[i].offset;
        f.order = ESC_ORDER_CREATED;
        esc_escalation_list *list = NULL;
        ck_assert_status(db, esc_escalation_list_query(&list, db, &f), ESC_OK);
        ck_assert_msg(esc_escalation_list_count(list) == cases[i].expected,
                      "limit %zu offset %zu: %zu rows, expected %zu", cases[i].limit,
                      cases[i].offset, esc_escalation_list_count(list), cases[i].expected);
        /* Created order: the first row is the offset-th escalation opened. */
        if (cases[i].expected > 0)
            ck_assert_int_eq(esc_escalation_created_at(esc_escalation_list_get(list, 0)),
                             T0 + (int64_t)cases[i].offset);
        esc_escalation_list_free(list);
    }

    /* NULL filter: the first 100. */
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_query(&list, db, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 100);
    esc_escalation_list_free(list);

    /* Above the maximum: refused, with nothing handed out. */
    static const size_t too_many[] = { ESC_LIST_LIMIT_MAX + 1, 100000, (size_t)-1 };
    for (size_t i = 0; i < COUNT_OF(too_many); i++) {
        esc_filter f = ESC_FILTER_INIT;
        f.limit = too_many[i];
        list = (esc_escalation_list *)&f;   /* must be overwritten with NULL */
        ck_assert_status(db, esc_escalation_list_query(&list, db, &f), ESC_EINVAL);
        ck_assert_ptr_null(list);
        ck_assert_ptr_nonnull(strstr(esc_db_errmsg(db), "limit"));
    }
    esc_db_close(db);
}
END_TEST

/* ---- history ---------------------------------------------------------------------- */

START_TEST(test_history)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    esc_escalation *other = test_new_escalation(db);

    /* Each step: who does it, and the state before and after. */
    static const struct {
        esc_action_kind kind;
        const esc_person *actor;
        esc_state from, to;
    } steps[] = {
        { ESC_ACTION_NOTE, &AGENT, ESC_STATE_LISTEN, ESC_STATE_LISTEN },
        { ESC_ACTION_ACK_EMOTION, &AGENT, ESC_STATE_LISTEN, ESC_STATE_LISTEN },
        { ESC_ACTION_ADVANCE, &SUPERVISOR, ESC_STATE_LISTEN, ESC_STATE_CLARIFY },
        { ESC_ACTION_STATE_PROBLEM, &SUPERVISOR, ESC_STATE_CLARIFY, ESC_STATE_CLARIFY },
        { ESC_ACTION_CONFIRM_PROBLEM, &SPECIALIST, ESC_STATE_CLARIFY, ESC_STATE_PLAN },
        { ESC_ACTION_ADD_STEP, &AGENT, ESC_STATE_PLAN, ESC_STATE_PLAN },
        { ESC_ACTION_PROMISE, &AGENT, ESC_STATE_PLAN, ESC_STATE_PLAN },
        { ESC_ACTION_TAKE_OWNERSHIP, &LEADER, ESC_STATE_PLAN, ESC_STATE_OWN },
        { ESC_ACTION_RECORD_RESOLUTION, &SUPERVISOR, ESC_STATE_OWN, ESC_STATE_FOLLOW_UP },
        { ESC_ACTION_REOPEN, &AGENT, ESC_STATE_FOLLOW_UP, ESC_STATE_CLARIFY },
        { ESC_ACTION_WITHDRAW, &LEADER, ESC_STATE_CLARIFY, ESC_STATE_CLOSED },
    };
    for (size_t i = 0; i < COUNT_OF(steps); i++) {
        clock.now = T0 + (int64_t)(i + 1) * HOUR;
        ck_assert_int_eq(esc_escalation_state(esc), steps[i].from);
        ck_assert_status(db, test_act(db, esc, steps[i].kind, steps[i].actor), ESC_OK);
        ck_assert_int_eq(esc_escalation_state(esc), steps[i].to);
        /* A refused step in between leaves no trace in the history. */
        ck_assert_int_ne(test_act(db, esc, ESC_ACTION_RESUME, &AGENT), ESC_OK);
        /* Interleaved steps on another escalation stay in its own history. */
        ck_assert_int_eq(test_act(db, other, ESC_ACTION_TAG, &AGENT), ESC_OK);
    }

    esc_event_list *history = NULL;
    ck_assert_status(db, esc_history(&history, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(history), COUNT_OF(steps) + 1);
    ck_assert_int_eq(esc_escalation_version(esc), (int64_t)COUNT_OF(steps) + 1);

    const esc_event *open = esc_event_list_get(history, 0);
    ck_assert_int_eq(esc_event_seq(open), 1);
    ck_assert_int_eq(esc_event_action(open), ESC_ACTION_OPEN);
    ck_assert_int_eq(esc_event_at(open), T0);
    ck_assert_str_eq(esc_event_actor_id(open), AGENT.id);
    ck_assert_str_eq(esc_event_actor_name(open), AGENT.name);
    ck_assert_int_eq(esc_event_actor_tier(open), AGENT.tier);
    ck_assert_int_eq(esc_event_from_state(open), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_event_to_state(open), ESC_STATE_LISTEN);
    ck_assert_str_eq(esc_event_escalation_id(open), esc_escalation_id(esc));
    ck_assert_int_eq(esc_event_payload(open)[0], '{');
    /* The open event records what was opened. */
    ck_assert_ptr_nonnull(strstr(esc_event_payload(open), "cust-42"));

    for (size_t i = 0; i < COUNT_OF(steps); i++) {
        const esc_event *e = esc_event_list_get(history, i + 1);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(esc_event_seq(e), (int64_t)i + 2);
        ck_assert_int_eq(esc_event_action(e), steps[i].kind);
        ck_assert_int_eq(esc_event_at(e), T0 + (int64_t)(i + 1) * HOUR);
        ck_assert_str_eq(esc_event_actor_id(e), steps[i].actor->id);
        ck_assert_str_eq(esc_event_actor_name(e), steps[i].actor->name);
        ck_assert_int_eq(esc_event_actor_tier(e), steps[i].actor->tier);
        ck_assert_int_eq(esc_event_from_state(e), steps[i].from);
        ck_assert_int_eq(esc_event_to_state(e), steps[i].to);
        ck_assert_str_eq(esc_event_escalation_id(e), esc_escalation_id(esc));
        const char *payload = esc_event_payload(e);
        ck_assert_msg(payload[0] == '{' && payload[strlen(payload) - 1] == '}',
                      "event %zu payload is not an object: %s", i + 2, payload);
    }
    ck_assert_ptr_null(esc_event_list_get(history, COUNT_OF(steps) + 1));
    esc_event_list_free(history);

    /* The other escalation: its open plus one tag per step, nothing else. */
    ck_assert_status(db, esc_history(&history, db, esc_escalation_id(other)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(history), COUNT_OF(steps) + 1);
    for (size_t i = 0; i < esc_event_list_count(history); i++) {
        const esc_event *e = esc_event_list_get(history, i);
        ck_assert_int_eq(esc_event_seq(e), (int64_t)i + 1);
        ck_assert_int_eq(esc_event_action(e), i == 0 ? ESC_ACTION_OPEN : ESC_ACTION_TAG);
        ck_assert_str_eq(esc_event_escalation_id(e), esc_escalation_id(other));
    }
    esc_event_list_free(history);

    /* Unknown ids. */
    static const char *const unknown[] = {
        "00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff",
        "not-a-uuid",
    };
    for (size_t i = 0; i < COUNT_OF(unknown); i++) {
        history = (esc_event_list *)&clock;   /* must be overwritten with NULL */
        ck_assert_status(db, esc_history(&history, db, unknown[i]), ESC_ENOTFOUND);
        ck_assert_ptr_null(history);
        ck_assert(esc_db_errmsg(db)[0] != '\0');
    }
    /* An id in upper case is another id: ids are canonical lower case. */
    char upper[37];
    snprintf(upper, sizeof upper, "%s", esc_escalation_id(esc));
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    if (strcmp(upper, esc_escalation_id(esc)) != 0)
        ck_assert_status(db, esc_history(&history, db, upper), ESC_ENOTFOUND);

    esc_escalation_free(esc);
    esc_escalation_free(other);
    esc_db_close(db);
}
END_TEST

/* ---- get by reference ---------------------------------------------------------------- */

static esc_escalation *open_with_ref(esc_db *db, const char *ref, const char *customer)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "My account was locked.";
    p.customer_id = customer;
    p.external_ref = ref;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);
    return esc;
}

START_TEST(test_get_by_ref)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *a = open_with_ref(db, "ZD-1001", "cust-1");
    esc_escalation *b = open_with_ref(db, "ZD-1002", "cust-2");
    esc_escalation *none = open_with_ref(db, NULL, "cust-3");
    ck_assert_str_eq(esc_escalation_external_ref(a), "ZD-1001");
    ck_assert_str_eq(esc_escalation_external_ref(none), "");

    clock.now += MINUTE;
    ck_assert_int_eq(test_act(db, b, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_int_eq(test_act(db, b, ESC_ACTION_TAG, &AGENT), ESC_OK);

    static const struct {
        const char *ref;
        int which;   /* 0: a, 1: b */
    } found[] = { { "ZD-1001", 0 }, { "ZD-1002", 1 } };
    for (size_t i = 0; i < COUNT_OF(found); i++) {
        const esc_escalation *want = found[i].which ? b : a;
        esc_escalation *got = NULL;
        ck_assert_status(db, esc_escalation_get_by_ref(&got, db, found[i].ref), ESC_OK);
        ck_assert_str_eq(esc_escalation_id(got), esc_escalation_id(want));
        ck_assert_str_eq(esc_escalation_external_ref(got), found[i].ref);
        ck_assert_int_eq(esc_escalation_version(got), esc_escalation_version(want));
        ck_assert_str_eq(esc_escalation_customer_id(got), esc_escalation_customer_id(want));
        ck_assert_int_eq(esc_escalation_updated_at(got), esc_escalation_updated_at(want));
        ck_assert_uint_eq(esc_escalation_item_count(got, ESC_ITEM_NOTE),
                          esc_escalation_item_count(want, ESC_ITEM_NOTE));
        ck_assert_uint_eq(esc_escalation_item_count(got, ESC_ITEM_TAG),
                          esc_escalation_item_count(want, ESC_ITEM_TAG));
        /* A snapshot fetched by reference can be acted on like any other. */
        ck_assert_int_eq(test_act(db, got, ESC_ACTION_ACK_EMOTION, &AGENT), ESC_OK);
        esc_escalation_free(got);
    }
    /* ... and the next fetch sees that step. */
    esc_escalation *got = NULL;
    ck_assert_status(db, esc_escalation_get_by_ref(&got, db, "ZD-1001"), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(got), esc_escalation_version(a) + 1);
    ck_assert_uint_eq(esc_escalation_item_count(got, ESC_ITEM_EMOTION), 1);
    esc_escalation_free(got);

    /* Not found: other refs, near misses, and an id used as a ref. */
    const char *missing[] = { "ZD-1003", "zd-1001", "ZD-1001 ", "ZD-100", esc_escalation_id(none) };
    for (size_t i = 0; i < COUNT_OF(missing); i++) {
        got = (esc_escalation *)&clock;   /* must be overwritten with NULL */
        ck_assert_status(db, esc_escalation_get_by_ref(&got, db, missing[i]), ESC_ENOTFOUND);
        ck_assert_ptr_null(got);
    }
    /* A reference names one escalation only. */
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Another complaint.";
    p.customer_id = "cust-9";
    p.external_ref = "ZD-1002";
    ck_assert_status(db, esc_escalation_open(&got, db, &p), ESC_EEXISTS);
    ck_assert_ptr_null(got);
    ck_assert_status(db, esc_escalation_get_by_ref(&got, db, "ZD-1002"), ESC_OK);
    ck_assert_str_eq(esc_escalation_id(got), esc_escalation_id(b));
    esc_escalation_free(got);

    esc_escalation_free(a);
    esc_escalation_free(b);
    esc_escalation_free(none);
    esc_db_close(db);
}
END_TEST

/* ---- due_at -------------------------------------------------------------------------- */

/* The snapshot, the stored row and the listed row all say the same. */
static void check_due(esc_db *db, const esc_escalation *esc, int64_t expected, const char *when)
{
    ck_assert_msg(esc_escalation_due_at(esc) == expected, "%s: due %lld, expected %lld", when,
                  (long long)esc_escalation_due_at(esc), (long long)expected);
    esc_escalation *stored = NULL;
    ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_msg(esc_escalation_due_at(stored) == expected, "%s: stored due %lld, expected %lld",
                  when, (long long)esc_escalation_due_at(stored), (long long)expected);
    esc_escalation_free(stored);
}

static void must_at(esc_db *db, esc_escalation *esc, esc_action_kind kind, int64_t at, int item)
{
    esc_action a;
    ck_assert_int_eq(esc_action_init(&a, ESC_ACTION_VERSION, kind), ESC_OK);
    a.actor = SUPERVISOR;
    a.person = SUPERVISOR;
    a.at = at;
    a.item = item;
    a.yes = 0;
    a.text = "Words.";
    test_must(db, esc, &a);
}

START_TEST(test_due_at)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    const int64_t p1 = T0 + 2 * DAY, p2 = T0 + 3 * DAY;
    const int64_t f1 = T0 + DAY, f2 = T0 + 4 * DAY, f3 = T0 + 5 * DAY;

    check_due(db, esc, 0, "new");
    test_drive_to(db, esc, ESC_STATE_PLAN);
    check_due(db, esc, 0, "plan, nothing promised");
    must_at(db, esc, ESC_ACTION_ADD_STEP, T0 + 6 * DAY, 0);
    check_due(db, esc, 0, "a step's own time is not a promise to the customer");
    must_at(db, esc, ESC_ACTION_PROMISE, p1, 0);
    check_due(db, esc, p1, "promised");
    must_at(db, esc, ESC_ACTION_PROMISE, p2, 0);
    check_due(db, esc, p2, "promise moved");
    must_at(db, esc, ESC_ACTION_TAKE_OWNERSHIP, 0, 0);
    check_due(db, esc, p2, "owned");
    must_at(db, esc, ESC_ACTION_SCHEDULE_FOLLOW_UP, f1, 0);
    check_due(db, esc, f1, "follow-up before the promise");
    must_at(db, esc, ESC_ACTION_SCHEDULE_FOLLOW_UP, f2, 0);
    check_due(db, esc, f1, "follow-up after the promise");
    clock.now += HOUR;
    must_at(db, esc, ESC_ACTION_COMPLETE_FOLLOW_UP, 0, 1);
    check_due(db, esc, p2, "first follow-up done: the promise again");
    must_at(db, esc, ESC_ACTION_RECORD_RESOLUTION, 0, 0);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_FOLLOW_UP);
    check_due(db, esc, f2, "resolution recorded: only the pending follow-up");
    must_at(db, esc, ESC_ACTION_COMPLETE_FOLLOW_UP, 0, 2);
    check_due(db, esc, 0, "every follow-up done");
    must_at(db, esc, ESC_ACTION_SCHEDULE_FOLLOW_UP, f3, 0);
    check_due(db, esc, f3, "a new follow-up");
    /* Attempts used up (3 unanswered needed): not yet, so confirm with yes. */
    esc_action a;
    esc_action_init(&a, ESC_ACTION_VERSION, ESC_ACTION_CONFIRM_RESOLVED);
    a.actor = SUPERVISOR;
    a.yes = 1;
    test_must(db, esc, &a);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_RESOLVED);
    check_due(db, esc, f3, "resolved with a callback still owed");
    test_drive_to(db, esc, ESC_STATE_CLOSED);
    check_due(db, esc, 0, "closed");
    esc_escalation_free(esc);

    /* Withdrawing with a promise and a follow-up outstanding: nothing due. */
    esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_OWN);
    ck_assert_int_gt(esc_escalation_due_at(esc), 0);
    must_at(db, esc, ESC_ACTION_SCHEDULE_FOLLOW_UP, f1, 0);
    check_due(db, esc, f1, "owned with a follow-up");
    must_at(db, esc, ESC_ACTION_WITHDRAW, 0, 0);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLOSED);
    check_due(db, esc, 0, "withdrawn");
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- main -------------------------------------------------------------------------- */

int main(void)
{
    Suite *s = suite_create("query");
    TCase *tc;

    tc = tcase_create("filters");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_population_is_varied);
    tcase_add_test(tc, test_filter_each_alone);
    tcase_add_test(tc, test_filter_pairs);
    tcase_add_test(tc, test_filter_many);
    tcase_add_test(tc, test_null_filter);
    suite_add_tcase(s, tc);

    tc = tcase_create("order_and_pages");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_orders_whole_population);
    tcase_add_test(tc, test_pagination);
    tcase_add_test(tc, test_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("history_and_lookup");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_get_by_ref);
    tcase_add_test(tc, test_due_at);
    suite_add_tcase(s, tc);

    return test_run(s);
}
