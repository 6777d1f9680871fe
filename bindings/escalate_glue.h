/*
 * escalate_glue.h — the C side shared by every language binding: a database
 * wrapper that can be closed early without dangling, builders that own the
 * strings of an action / open parameters / filter / SLA rule until the call,
 * and the per-thread "last failure" that each language's %exception turns
 * into its own error.  Compiled into each binding module, never into the
 * library.
 */
#ifndef ESCALATE_GLUE_H
#define ESCALATE_GLUE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <escalate.h>

/* ---- the last failure ------------------------------------------------------ */

typedef struct escb_error {
    int code;                 /* ESC_OK when nothing failed */
    int guard;                /* the refusing esc_guard, for ESC_EGUARD & co. */
    char message[1024];
    void *callback_error;     /* a language's pending exception from a callback */
} escb_error;

/* Per thread: two threads calling through the binding never see each
 * other's failures. */
static _Thread_local escb_error escb_last_error;

static void escb_error_clear(void)
{
    escb_last_error.code = ESC_OK;
    escb_last_error.guard = ESC_GUARD_NONE;
    escb_last_error.message[0] = '\0';
}

static void escb_fail(int code, const char *message)
{
    escb_last_error.code = code;
    snprintf(escb_last_error.message, sizeof escb_last_error.message, "%s",
             message && message[0] ? message : esc_status_string(code));
}

/* Record the failure of a call on db (its message says what was wrong). */
static int escb_check(int code, const esc_db *db)
{
    if (code != ESC_OK) {
        escb_fail(code, db ? esc_db_errmsg(db) : esc_status_string(code));
        escb_last_error.guard = db ? esc_db_last_guard(db) : ESC_GUARD_NONE;
    }
    return code;
}

/* A None / nil where an object is needed: ESC_EINVAL, not a crash. */
static int escb_present(const void *object, const char *what)
{
    if (object != NULL)
        return 1;
    char message[96];
    snprintf(message, sizeof message, "%s is missing (None/nil)", what);
    escb_fail(ESC_EINVAL, message);
    return 0;
}

/* ---- owned strings --------------------------------------------------------- */

/* Replace *slot with a copy of value (NULL clears). 0, or -1 out of memory. */
static int escb_set_string(char **slot, const char *value)
{
    char *copy = NULL;
    if (value != NULL) {
        size_t size = strlen(value) + 1;
        if ((copy = malloc(size)) == NULL)
            return -1;
        memcpy(copy, value, size);
    }
    free(*slot);
    *slot = copy;
    return 0;
}

/* ---- the database ---------------------------------------------------------- */

struct escb_db;
typedef void (*escb_release_fn)(struct escb_db *wrapper);

/* A handle that may be closed before its last reference goes away: every
 * method checks db, so a closed database raises instead of crashing. */
typedef struct escb_db {
    esc_db *db;
    void *clock_target;          /* the language's clock callable, or NULL */
    void *hook_target;           /* the language's event hook callable, or NULL */
    escb_release_fn release;     /* drops the language references above */
} escb_db;

static esc_db *escb_db_handle(escb_db *wrapper)
{
    if (wrapper == NULL || wrapper->db == NULL) {
        escb_fail(ESC_EINVAL, "the database is closed");
        return NULL;
    }
    return wrapper->db;
}

static void escb_db_shut(escb_db *wrapper)
{
    if (wrapper == NULL)
        return;
    esc_db_close(wrapper->db);
    wrapper->db = NULL;
    if (wrapper->release)
        wrapper->release(wrapper);
}

/* ---- builders ---------------------------------------------------------------- */

/* The fields of esc_person that a builder sets by name. */
typedef struct escb_person {
    char *id;
    char *name;
    int tier;
} escb_person;

static void escb_person_clear(escb_person *p)
{
    free(p->id);
    free(p->name);
    memset(p, 0, sizeof *p);
}

static esc_person escb_person_view(const escb_person *p)
{
    esc_person view = { p->id, p->name, p->tier };
    return view;
}

/* A field a builder can set: its name, and where it lives. */
typedef enum escb_field_type { ESCB_STRING, ESCB_INT, ESCB_INT64, ESCB_PERSON } escb_field_type;

typedef struct escb_field {
    const char *name;
    escb_field_type type;
    size_t offset;
} escb_field;

/* Set field name of record (described by fields) from a string, a number
 * or a person.  Unknown names and wrong types are ESC_EINVAL. */
static int escb_builder_set(void *record, const escb_field *fields, size_t count,
                            const char *name, escb_field_type type, const char *string,
                            long long number, const char *person_id, const char *person_name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(fields[i].name, name) != 0)
            continue;
        char *at = (char *)record + fields[i].offset;
        if (fields[i].type != type && !(fields[i].type == ESCB_INT64 && type == ESCB_INT)) {
            char message[128];
            snprintf(message, sizeof message, "field %s takes %s", name,
                     fields[i].type == ESCB_STRING   ? "text"
                     : fields[i].type == ESCB_PERSON ? "a person"
                                                     : "a number");
            escb_fail(ESC_EINVAL, message);
            return ESC_EINVAL;
        }
        switch (fields[i].type) {
        case ESCB_STRING:
            if (escb_set_string((char **)at, string) != 0) {
                escb_fail(ESC_ENOMEM, NULL);
                return ESC_ENOMEM;
            }
            return ESC_OK;
        case ESCB_INT:
            if (number < -2147483647LL - 1 || number > 2147483647LL) {
                escb_fail(ESC_EINVAL, "number out of range");
                return ESC_EINVAL;
            }
            *(int *)at = (int)number;
            return ESC_OK;
        case ESCB_INT64:
            *(int64_t *)at = (int64_t)number;
            return ESC_OK;
        case ESCB_PERSON: {
            escb_person *p = (escb_person *)at;
            if (escb_set_string(&p->id, person_id) != 0 ||
                escb_set_string(&p->name, person_name) != 0) {
                escb_fail(ESC_ENOMEM, NULL);
                return ESC_ENOMEM;
            }
            p->tier = (int)number;
            return ESC_OK;
        }
        }
    }
    char message[128];
    snprintf(message, sizeof message, "unknown field %.60s", name);
    escb_fail(ESC_EINVAL, message);
    return ESC_EINVAL;
}

/* The arguments of one action, owned until esc_apply() borrows them. */
typedef struct escb_action {
    int kind;
    escb_person actor;
    char *text;
    char *category;
    escb_person person;
    int64_t at;
    int item;
    int yes;
    int tier;
    int customer_account;
    int hold;
    int impact;
    int urgency;
    int vip;
    int churn_risk;
    int satisfaction;
    char *lessons;
    char *brief_went_wrong;
    char *brief_tried;
    char *brief_response;
} escb_action;

#define ESCB_FIELD(record, name, type) { #name, ESCB_##type, offsetof(record, name) }

static const escb_field escb_action_fields[] = {
    ESCB_FIELD(escb_action, actor, PERSON),
    ESCB_FIELD(escb_action, text, STRING),
    ESCB_FIELD(escb_action, category, STRING),
    ESCB_FIELD(escb_action, person, PERSON),
    ESCB_FIELD(escb_action, at, INT64),
    ESCB_FIELD(escb_action, item, INT),
    ESCB_FIELD(escb_action, yes, INT),
    ESCB_FIELD(escb_action, tier, INT),
    ESCB_FIELD(escb_action, customer_account, INT),
    ESCB_FIELD(escb_action, hold, INT),
    ESCB_FIELD(escb_action, impact, INT),
    ESCB_FIELD(escb_action, urgency, INT),
    ESCB_FIELD(escb_action, vip, INT),
    ESCB_FIELD(escb_action, churn_risk, INT),
    ESCB_FIELD(escb_action, satisfaction, INT),
    ESCB_FIELD(escb_action, lessons, STRING),
    ESCB_FIELD(escb_action, brief_went_wrong, STRING),
    ESCB_FIELD(escb_action, brief_tried, STRING),
    ESCB_FIELD(escb_action, brief_response, STRING),
};

static void escb_action_free(escb_action *a)
{
    if (a == NULL)
        return;
    escb_person_clear(&a->actor);
    escb_person_clear(&a->person);
    free(a->text);
    free(a->category);
    free(a->lessons);
    free(a->brief_went_wrong);
    free(a->brief_tried);
    free(a->brief_response);
    free(a);
}

static esc_action escb_action_view(const escb_action *b)
{
    esc_action a = ESC_ACTION_INIT;
    a.kind = (esc_action_kind)b->kind;
    a.actor = escb_person_view(&b->actor);
    a.text = b->text;
    a.category = b->category;
    a.person = escb_person_view(&b->person);
    a.at = b->at;
    a.item = b->item;
    a.yes = b->yes;
    a.tier = b->tier;
    a.customer_account = b->customer_account;
    a.hold = (esc_hold)b->hold;
    a.impact = b->impact;
    a.urgency = b->urgency;
    a.vip = b->vip;
    a.churn_risk = b->churn_risk;
    a.satisfaction = b->satisfaction;
    a.lessons = b->lessons;
    a.brief_went_wrong = b->brief_went_wrong;
    a.brief_tried = b->brief_tried;
    a.brief_response = b->brief_response;
    return a;
}

/* The parameters of a new escalation. */
typedef struct escb_open_params {
    escb_person actor;
    char *summary;
    char *customer_id;
    char *customer_name;
    char *external_ref;
    int channel;
    int impact;
    int urgency;
    int vip;
    int churn_risk;
    int confidential;
    char *sla_policy;
} escb_open_params;

static const escb_field escb_open_fields[] = {
    ESCB_FIELD(escb_open_params, actor, PERSON),
    ESCB_FIELD(escb_open_params, summary, STRING),
    ESCB_FIELD(escb_open_params, customer_id, STRING),
    ESCB_FIELD(escb_open_params, customer_name, STRING),
    ESCB_FIELD(escb_open_params, external_ref, STRING),
    ESCB_FIELD(escb_open_params, channel, INT),
    ESCB_FIELD(escb_open_params, impact, INT),
    ESCB_FIELD(escb_open_params, urgency, INT),
    ESCB_FIELD(escb_open_params, vip, INT),
    ESCB_FIELD(escb_open_params, churn_risk, INT),
    ESCB_FIELD(escb_open_params, confidential, INT),
    ESCB_FIELD(escb_open_params, sla_policy, STRING),
};

static void escb_open_params_free(escb_open_params *p)
{
    if (p == NULL)
        return;
    escb_person_clear(&p->actor);
    free(p->summary);
    free(p->customer_id);
    free(p->customer_name);
    free(p->external_ref);
    free(p->sla_policy);
    free(p);
}

static esc_open_params escb_open_params_view(const escb_open_params *b)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = escb_person_view(&b->actor);
    p.summary = b->summary;
    p.customer_id = b->customer_id;
    p.customer_name = b->customer_name;
    p.external_ref = b->external_ref;
    p.channel = (esc_channel)b->channel;
    p.impact = b->impact;
    p.urgency = b->urgency;
    p.vip = b->vip;
    p.churn_risk = b->churn_risk;
    p.confidential = b->confidential;
    p.sla_policy = b->sla_policy;
    return p;
}

/* What to list. */
typedef struct escb_filter {
    int state;
    char *owner_id;
    int tier;
    int priority;
    char *tag;
    char *customer_id;
    int open;
    int order;
    long long limit;
    long long offset;
} escb_filter;

static const escb_field escb_filter_fields[] = {
    ESCB_FIELD(escb_filter, state, INT),
    ESCB_FIELD(escb_filter, owner_id, STRING),
    ESCB_FIELD(escb_filter, tier, INT),
    ESCB_FIELD(escb_filter, priority, INT),
    ESCB_FIELD(escb_filter, tag, STRING),
    ESCB_FIELD(escb_filter, customer_id, STRING),
    ESCB_FIELD(escb_filter, open, INT),
    ESCB_FIELD(escb_filter, order, INT),
    ESCB_FIELD(escb_filter, limit, INT64),
    ESCB_FIELD(escb_filter, offset, INT64),
};

static void escb_filter_free(escb_filter *f)
{
    if (f == NULL)
        return;
    free(f->owner_id);
    free(f->tag);
    free(f->customer_id);
    free(f);
}

/* Negative limits or offsets cannot be size_t: they are refused here
 * rather than wrapped around into huge numbers. */
static int escb_filter_view(esc_filter *out, const escb_filter *b)
{
    esc_filter f = ESC_FILTER_INIT;
    if (b->limit < 0 || b->offset < 0) {
        escb_fail(ESC_EINVAL, "limit and offset must not be negative");
        return ESC_EINVAL;
    }
    f.state = b->state;
    f.owner_id = b->owner_id;
    f.tier = b->tier;
    f.priority = b->priority;
    f.tag = b->tag;
    f.customer_id = b->customer_id;
    f.open = b->open;
    f.order = (esc_order)b->order;
    f.limit = (size_t)b->limit;
    f.offset = (size_t)b->offset;
    *out = f;
    return ESC_OK;
}

/* An escalation rule of an SLA policy (esc_sla_rule), owning its watcher
 * id until esc_sla_policy_add_rule() copies it. */
typedef struct escb_sla_rule {
    int target;
    int warning_percent;
    int tier;
    int64_t after_ms;
    int repeat;
    int64_t every_ms;
    int move_up;
    int raise_priority;
    char *watcher_id;
} escb_sla_rule;

static const escb_field escb_sla_rule_fields[] = {
    ESCB_FIELD(escb_sla_rule, target, INT),
    ESCB_FIELD(escb_sla_rule, warning_percent, INT),
    ESCB_FIELD(escb_sla_rule, tier, INT),
    ESCB_FIELD(escb_sla_rule, after_ms, INT64),
    ESCB_FIELD(escb_sla_rule, repeat, INT),
    ESCB_FIELD(escb_sla_rule, every_ms, INT64),
    ESCB_FIELD(escb_sla_rule, move_up, INT),
    ESCB_FIELD(escb_sla_rule, raise_priority, INT),
    ESCB_FIELD(escb_sla_rule, watcher_id, STRING),
};

static void escb_sla_rule_free(escb_sla_rule *r)
{
    if (r == NULL)
        return;
    free(r->watcher_id);
    free(r);
}

static esc_sla_rule escb_sla_rule_view(const escb_sla_rule *b)
{
    esc_sla_rule r = ESC_SLA_RULE_INIT;
    r.target = (esc_sla_target)b->target;
    r.warning_percent = b->warning_percent;
    r.tier = b->tier;
    r.after_ms = b->after_ms;
    r.repeat = b->repeat;
    r.every_ms = b->every_ms;
    r.move_up = b->move_up;
    r.raise_priority = b->raise_priority;
    r.watcher_id = b->watcher_id;
    return r;
}

/* Warning percentages come in as text, "75,90" ("" for none): the one
 * shape both languages can pass without an array typemap.  Each must be a
 * decimal integer; the library judges the values.  The count, or -1
 * (recorded as ESC_EINVAL) when the text is not such a list. */
static int escb_parse_percentages(int *out, size_t max, const char *text)
{
    size_t count = 0;
    if (text == NULL) {
        escb_fail(ESC_EINVAL, "the warning percentages are missing (None/nil)");
        return -1;
    }
    for (const char *at = text; *at != '\0';) {
        char *end = NULL;
        long value = strtol(at, &end, 10);
        if (end == at || (*end != ',' && *end != '\0') || value < -1000 || value > 1000) {
            escb_fail(ESC_EINVAL, "warning percentages must be integers");
            return -1;
        }
        if (count == max) {
            char message[96];
            snprintf(message, sizeof message, "a policy has at most %zu warning percentages", max);
            escb_fail(ESC_EINVAL, message);
            return -1;
        }
        out[count++] = (int)value;
        at = *end == ',' ? end + 1 : end;
    }
    return (int)count;
}

#define ESCB_COUNT(array) (sizeof(array) / sizeof((array)[0]))

#endif /* ESCALATE_GLUE_H */
