/*
 * escalate.i — the one SWIG interface behind the Python and Lua bindings.
 *
 * This shared part wraps the C API in a layer that is safe to hold from a
 * garbage-collected language: a database that can be closed early
 * (escb_db), builders that own their strings (actions, open parameters,
 * filters, SLA rules), snapshots, lists and reports freed exactly once by
 * their destructors, and lent pointers never handed out (items, events and
 * outbox entries are read through their owner).  Every failure is recorded in the per-thread
 * escb_last_error; each language's block turns it into that language's
 * error in its %exception, and adds the callbacks (clock, event hook) and
 * the idiomatic layer on top.
 */
%module escalate

%{
#include "escalate_glue.h"
%}

%include <stdint.i>

/* Constants (states, actions, guards, status codes ...) come from the
 * headers; functions are wrapped only where listed below. */
%ignore esc_db_open;
%ignore esc_db_close;
%ignore esc_db_options_init;
%ignore esc_open_params_init;
%ignore esc_action_init;
%ignore esc_filter_init;
%ignore esc_escalation_open;
%ignore esc_escalation_get;
%ignore esc_escalation_get_by_ref;
%ignore esc_escalation_free;
%ignore esc_escalation_dup;
%ignore esc_escalation_item;
%ignore esc_escalation_list_query;
%ignore esc_escalation_list_get;
%ignore esc_escalation_list_count;
%ignore esc_event_list_count;
%ignore esc_escalation_list_free;
%ignore esc_history;
%ignore esc_event_list_get;
%ignore esc_event_list_free;
%ignore esc_db_verify;
%ignore esc_verify_report_free;
%ignore esc_db_rebuild;
%ignore esc_apply;
%ignore esc_action_allowed;
%ignore esc_db_set_priority_matrix;
%ignore esc_db_set_tiers;
%ignore esc_db_set_clock;
%ignore esc_db_set_event_hook;
%ignore esc_db_batch_begin;
%ignore esc_db_batch_commit;
%ignore esc_db_batch_rollback;
%ignore esc_db_errmsg;
%ignore esc_db_errcode;
%ignore esc_db_last_guard;
%ignore esc_db_now;
%ignore esc_db_schema_version;
%ignore esc_db_tier_count;
%ignore esc_db_tier_name;
%ignore esc_priority_compute;
%ignore esc_state_from_name;
%ignore esc_action_from_name;
%ignore esc_item_get_kind;
%ignore esc_item_number;
%ignore esc_item_text;
%ignore esc_item_category;
%ignore esc_item_person_id;
%ignore esc_item_person_name;
%ignore esc_item_tier;
%ignore esc_item_at;
%ignore esc_item_flag;
%ignore esc_item_status_of;
%ignore esc_item_decision;
%ignore esc_item_decided_by;
%ignore esc_item_created_at;
%ignore esc_event_escalation_id;
%ignore esc_event_seq;
%ignore esc_event_at;
%ignore esc_event_action;
%ignore esc_event_actor_id;
%ignore esc_event_actor_name;
%ignore esc_event_actor_tier;
%ignore esc_event_from_state;
%ignore esc_event_to_state;
%ignore esc_event_payload;
%ignore esc_event_hash;
%ignore esc_calendar_new;
%ignore esc_calendar_free;
%ignore esc_calendar_tz_name;
%ignore esc_calendar_add_hours;
%ignore esc_calendar_add_holiday;
%ignore esc_calendar_add_yearly_holiday;
%ignore esc_calendar_parse;
%ignore esc_calendar_format;
%ignore esc_calendar_spec_free;
%ignore esc_calendar_is_business;
%ignore esc_calendar_next_business;
%ignore esc_calendar_add_business;
%ignore esc_calendar_business_between;
/* sla.h: policies are built, read and evaluated through esc_sla_policy's
 * methods below; the clocks' plain getters (esc_sla_clocks_*) and the
 * policy's read-only counts are wrapped as they are. */
%ignore esc_sla_policy_new;
%ignore esc_sla_policy_free;
%ignore esc_sla_policy_calendar;
%ignore esc_sla_policy_set_target;
%ignore esc_sla_policy_target;
%ignore esc_sla_policy_set_pause;
%ignore esc_sla_policy_set_warnings;
%ignore esc_sla_policy_parse;
%ignore esc_sla_policy_format;
%ignore esc_sla_policy_add_rule;
%ignore esc_sla_policy_rule;
%ignore esc_sla_rule_init;
%ignore esc_sla_spec_free;
%ignore esc_sla_evaluate;
%ignore esc_sla_clocks_free;
%ignore esc_sla_clocks_next_warning;
%ignore esc_sla_rule;
/* Ignored, but still parsed: its member "repeat" is a Lua keyword. */
%rename(repeat_count) esc_sla_rule::repeat;
/* timers.h: the database calls are escb_db methods; definitions' and
 * escalations' plain getters are wrapped as they are. */
%ignore esc_db_calendar_put;
%ignore esc_db_policy_put;
%ignore esc_db_calendar_get;
%ignore esc_db_policy_get;
%ignore esc_db_policy_load;
%ignore esc_definition_free;
%ignore esc_escalation_sla;
%ignore esc_escalation_list_due;
%ignore esc_sweep;
%ignore esc_outbox_fetch;
%ignore esc_outbox_ack;
%ignore esc_outbox_list_count;
%ignore esc_outbox_list_get;
%ignore esc_outbox_list_free;
%ignore esc_outbox_entry_id;
%ignore esc_outbox_entry_escalation_id;
%ignore esc_outbox_entry_seq;
%ignore esc_outbox_entry_kind;
%ignore esc_outbox_entry_due_at;
%ignore esc_outbox_entry_fired_at;
%ignore esc_outbox_entry_payload;
/* access.h: escb_db methods. */
%ignore esc_db_set_viewer;
%ignore esc_db_set_confidential_tier;
%ignore esc_db_confidential_tier;
%ignore esc_person;
%ignore esc_db_options;
%ignore esc_open_params;
%ignore esc_action;
%ignore esc_filter;
%ignore esc_clock_fn;
%ignore esc_event_hook_fn;

%newobject escb_db::open_escalation;
%newobject escb_db::get;
%newobject escb_db::get_by_ref;
%newobject escb_db::query;
%newobject escb_db::history;
%newobject escb_db::verify;
%newobject esc_escalation::copy;
%newobject esc_escalation_list::take;
%newobject escb_db::calendar_get;
%newobject escb_db::policy_get;
%newobject escb_db::policy_load;
%newobject escb_db::sla;
%newobject escb_db::due;
%newobject escb_db::sweep;
%newobject escb_db::outbox;
%newobject escb_sla_policy_parse;
%newobject escb_sla_policy_new;
%newobject esc_sla_policy::evaluate;

#if defined(SWIGPYTHON)
%include "python/escalate_python.i"
#elif defined(SWIGLUA)
%include "lua/escalate_lua.i"
#else
#error "libescalate has bindings for Python and Lua"
#endif

/* The opaque C types, as SWIG classes with destructors and no constructors.
 * Declared after the language block: the typemaps in effect where a class
 * is declared are the ones its %extend methods get. */
%nodefaultctor esc_escalation;
%nodefaultctor esc_escalation_list;
%nodefaultctor esc_event_list;
%nodefaultctor esc_verify_report;
struct esc_escalation {};
struct esc_escalation_list {};
struct esc_event_list {};
struct esc_verify_report {};
%nodefaultctor esc_calendar;
struct esc_calendar {};
%nodefaultctor esc_sla_policy;
%nodefaultctor esc_sla_clocks;
%nodefaultctor esc_definition;
%nodefaultctor esc_outbox_list;
struct esc_sla_policy {};
struct esc_sla_clocks {};
struct esc_definition {};
struct esc_outbox_list {};
/* What esc_sweep() did: a plain struct, read field by field; made only by
 * escb_db::sweep (malloc), freed by SWIG's default destructor (free). */
%nodefaultctor esc_sweep_stats;
%immutable esc_sweep_stats::version;
%immutable esc_sweep_stats::escalations;
%immutable esc_sweep_stats::firings;
%immutable esc_sweep_stats::warnings;
%immutable esc_sweep_stats::breaches;
%immutable esc_sweep_stats::reminders;
%immutable esc_sweep_stats::rules;
%immutable esc_sweep_stats::moves;
%immutable esc_sweep_stats::busy;

%include "escalate/common.h"
%include "escalate/db.h"
%include "escalate/escalation.h"
%include "escalate/action.h"
%include "escalate/query.h"
%include "escalate/calendar.h"
%include "escalate/sla.h"
%include "escalate/timers.h"
%include "escalate/access.h"

/* ---- builders ---------------------------------------------------------------- */

%nodefaultctor escb_action;
%nodefaultctor escb_open_params;
%nodefaultctor escb_filter;
%nodefaultctor escb_sla_rule;
typedef struct escb_action {} escb_action;
typedef struct escb_open_params {} escb_open_params;
typedef struct escb_filter {} escb_filter;
typedef struct escb_sla_rule {} escb_sla_rule;

/* Each builder: set_string / set_number / set_person by field name, the
 * names being those of the C structs (esc_action, esc_open_params,
 * esc_filter). */
%define ESCB_BUILDER_SETTERS(FIELDS)
    void set_string(const char *field, const char *value) {
        escb_builder_set($self, FIELDS, ESCB_COUNT(FIELDS), field, ESCB_STRING, value, 0, NULL, NULL);
    }
    void set_number(const char *field, long long value) {
        escb_builder_set($self, FIELDS, ESCB_COUNT(FIELDS), field, ESCB_INT, NULL, value, NULL, NULL);
    }
    void set_person(const char *field, const char *id, const char *name, int tier) {
        escb_builder_set($self, FIELDS, ESCB_COUNT(FIELDS), field, ESCB_PERSON, NULL, tier, id, name);
    }
%enddef

%extend escb_action {
    escb_action(int kind) {
        escb_action *a = calloc(1, sizeof *a);
        if (a == NULL)
            escb_fail(ESC_ENOMEM, NULL);
        else
            a->kind = kind;
        return a;
    }
    ~escb_action() { escb_action_free($self); }
    ESCB_BUILDER_SETTERS(escb_action_fields)
}

%extend escb_open_params {
    escb_open_params() {
        escb_open_params *p = calloc(1, sizeof *p);
        if (p == NULL)
            escb_fail(ESC_ENOMEM, NULL);
        else
            p->impact = p->urgency = 1;
        return p;
    }
    ~escb_open_params() { escb_open_params_free($self); }
    ESCB_BUILDER_SETTERS(escb_open_fields)
}

%extend escb_filter {
    escb_filter() {
        escb_filter *f = calloc(1, sizeof *f);
        if (f == NULL)
            escb_fail(ESC_ENOMEM, NULL);
        else
            f->state = f->tier = f->priority = -1;
        return f;
    }
    ~escb_filter() { escb_filter_free($self); }
    ESCB_BUILDER_SETTERS(escb_filter_fields)
}

/* An escalation rule (esc_sla_rule's fields by name), for
 * esc_sla_policy::append_rule. */
%extend escb_sla_rule {
    escb_sla_rule() {
        escb_sla_rule *r = calloc(1, sizeof *r);
        if (r == NULL) {
            escb_fail(ESC_ENOMEM, NULL);
        } else {
            esc_sla_rule defaults = ESC_SLA_RULE_INIT;
            r->target = (int)defaults.target;
            r->repeat = defaults.repeat;
        }
        return r;
    }
    ~escb_sla_rule() { escb_sla_rule_free($self); }
    ESCB_BUILDER_SETTERS(escb_sla_rule_fields)
}

/* ---- snapshots, lists, reports ------------------------------------------------- */

%extend esc_escalation {
    ~esc_escalation() { esc_escalation_free($self); }
    esc_escalation *copy() {
        esc_escalation *out = NULL;
        escb_check(esc_escalation_dup(&out, $self), NULL);
        return out;
    }
    /* Items are read through their escalation, never lent out. */
    const char *item_text(int kind, size_t index, const char *field) {
        const esc_item *item = esc_escalation_item($self, (esc_item_kind)kind, index);
        if (item == NULL) { escb_fail(ESC_ENOTFOUND, "no such item"); return NULL; }
        if (strcmp(field, "text") == 0) return esc_item_text(item);
        if (strcmp(field, "category") == 0) return esc_item_category(item);
        if (strcmp(field, "person_id") == 0) return esc_item_person_id(item);
        if (strcmp(field, "person_name") == 0) return esc_item_person_name(item);
        if (strcmp(field, "decision") == 0) return esc_item_decision(item);
        if (strcmp(field, "decided_by") == 0) return esc_item_decided_by(item);
        escb_fail(ESC_EINVAL, "unknown item text field");
        return NULL;
    }
    long long item_number(int kind, size_t index, const char *field) {
        const esc_item *item = esc_escalation_item($self, (esc_item_kind)kind, index);
        if (item == NULL) { escb_fail(ESC_ENOTFOUND, "no such item"); return 0; }
        if (strcmp(field, "number") == 0) return esc_item_number(item);
        if (strcmp(field, "tier") == 0) return esc_item_tier(item);
        if (strcmp(field, "at") == 0) return esc_item_at(item);
        if (strcmp(field, "flag") == 0) return esc_item_flag(item);
        if (strcmp(field, "status") == 0) return esc_item_status_of(item);
        if (strcmp(field, "created_at") == 0) return esc_item_created_at(item);
        escb_fail(ESC_EINVAL, "unknown item number field");
        return 0;
    }
}

%extend esc_escalation_list {
    ~esc_escalation_list() { esc_escalation_list_free($self); }
    size_t size() { return esc_escalation_list_count($self); }
    /* A copy the language owns: it outlives the list. */
    esc_escalation *take(size_t index) {
        esc_escalation *out = NULL;
        const esc_escalation *row = esc_escalation_list_get($self, index);
        if (row == NULL)
            escb_fail(ESC_ENOTFOUND, "index out of range");
        else
            escb_check(esc_escalation_dup(&out, row), NULL);
        return out;
    }
}

%extend esc_event_list {
    ~esc_event_list() { esc_event_list_free($self); }
    size_t size() { return esc_event_list_count($self); }
    const char *text(size_t index, const char *field) {
        const esc_event *e = esc_event_list_get($self, index);
        if (e == NULL) { escb_fail(ESC_ENOTFOUND, "index out of range"); return NULL; }
        if (strcmp(field, "escalation_id") == 0) return esc_event_escalation_id(e);
        if (strcmp(field, "actor_id") == 0) return esc_event_actor_id(e);
        if (strcmp(field, "actor_name") == 0) return esc_event_actor_name(e);
        if (strcmp(field, "payload") == 0) return esc_event_payload(e);
        if (strcmp(field, "hash") == 0) return esc_event_hash(e);
        escb_fail(ESC_EINVAL, "unknown event text field");
        return NULL;
    }
    long long number(size_t index, const char *field) {
        const esc_event *e = esc_event_list_get($self, index);
        if (e == NULL) { escb_fail(ESC_ENOTFOUND, "index out of range"); return 0; }
        if (strcmp(field, "seq") == 0) return esc_event_seq(e);
        if (strcmp(field, "at") == 0) return esc_event_at(e);
        if (strcmp(field, "action") == 0) return esc_event_action(e);
        if (strcmp(field, "actor_tier") == 0) return esc_event_actor_tier(e);
        if (strcmp(field, "from_state") == 0) return esc_event_from_state(e);
        if (strcmp(field, "to_state") == 0) return esc_event_to_state(e);
        escb_fail(ESC_EINVAL, "unknown event number field");
        return 0;
    }
}

%extend esc_verify_report {
    ~esc_verify_report() { esc_verify_report_free($self); }
}

/* ---- the database ------------------------------------------------------------- */

%nodefaultctor escb_db;
typedef struct escb_db {} escb_db;

%extend escb_db {
    /* journal: ESC_JOURNAL_*, sync: ESC_SYNC_* (the library judges them). */
    escb_db(const char *path, int flags, int busy_timeout_ms, int file_mode,
            int follow_up_attempts, int journal, int sync) {
        escb_db *w = calloc(1, sizeof *w);
        if (w == NULL) {
            escb_fail(ESC_ENOMEM, NULL);
            return NULL;
        }
        esc_db_options options = ESC_DB_OPTIONS_INIT;
        options.flags = (unsigned int)flags;
        options.busy_timeout_ms = busy_timeout_ms;
        options.file_mode = (unsigned int)file_mode;
        options.follow_up_attempts = follow_up_attempts;
        options.journal = journal;
        options.sync = sync;
        int rc = esc_db_open(&w->db, path, &options);
        if (rc != ESC_OK) {
            escb_check(rc, w->db);
            esc_db_close(w->db);
            free(w);
            return NULL;
        }
        return w;
    }
    ~escb_db() {
        escb_db_shut($self);
        free($self);
    }
    void close() { escb_db_shut($self); }
    bool closed() { return $self->db == NULL; }

    long long now() {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_now(db) : 0;
    }
    int schema_version() {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_schema_version(db) : 0;
    }
    int tier_count() {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_tier_count(db) : 0;
    }
    const char *tier_name(int tier) {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_tier_name(db, tier) : NULL;
    }
    /* Tier names are short text, which has no control characters, so a
     * newline separates them safely.  NULL restores the default ladder. */
    void set_tiers(const char *names_by_line) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return;
        if (names_by_line == NULL) {
            escb_check(esc_db_set_tiers(db, NULL, 0), db);
            return;
        }
        char *copy = NULL;
        if (escb_set_string(&copy, names_by_line) != 0) {
            escb_fail(ESC_ENOMEM, NULL);
            return;
        }
        const char *names[ESC_TIER_MAX + 1];
        int count = 0;
        for (char *line = copy; line != NULL && count <= ESC_TIER_MAX; count++) {
            names[count] = line;
            char *end = strchr(line, '\n');
            if (end != NULL)
                *end++ = '\0';
            line = end;
        }
        escb_check(esc_db_set_tiers(db, names, count), db);
        free(copy);
    }
    int priority(int impact, int urgency, bool vip, bool churn_risk) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return 0;
        int p = esc_priority_compute(db, impact, urgency, vip, churn_risk);
        if (p < 0)
            escb_fail(p, "impact and urgency must be 1..4");
        return p;
    }
    /* One cell of this handle's matrix; the rest stays as it is. */
    void set_priority(int impact, int urgency, int priority) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return;
        if (impact < 1 || impact > 4 || urgency < 1 || urgency > 4) {
            escb_fail(ESC_EINVAL, "impact and urgency must be 1..4");
            return;
        }
        int matrix[ESC_PRIORITY_MATRIX_CELLS];
        for (int i = 0; i < 4; i++)
            for (int u = 0; u < 4; u++)
                matrix[i * 4 + u] = esc_priority_compute(db, i + 1, u + 1, 0, 0);
        matrix[(impact - 1) * 4 + (urgency - 1)] = priority;
        escb_check(esc_db_set_priority_matrix(db, matrix), db);
    }
    void reset_priorities() {
        esc_db *db = escb_db_handle($self);
        if (db)
            escb_check(esc_db_set_priority_matrix(db, NULL), db);
    }

    void batch_begin() {
        esc_db *db = escb_db_handle($self);
        if (db) escb_check(esc_db_batch_begin(db), db);
    }
    void batch_commit() {
        esc_db *db = escb_db_handle($self);
        if (db) escb_check(esc_db_batch_commit(db), db);
    }
    void batch_rollback() {
        esc_db *db = escb_db_handle($self);
        if (db) escb_check(esc_db_batch_rollback(db), db);
    }

    esc_escalation *open_escalation(const escb_open_params *params) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL || !escb_present(params, "open parameters"))
            return NULL;
        esc_open_params p = escb_open_params_view(params);
        esc_escalation *out = NULL;
        escb_check(esc_escalation_open(&out, db, &p), db);
        return out;
    }
    esc_escalation *get(const char *id) {
        esc_db *db = escb_db_handle($self);
        esc_escalation *out = NULL;
        if (db) escb_check(esc_escalation_get(&out, db, id), db);
        return out;
    }
    esc_escalation *get_by_ref(const char *external_ref) {
        esc_db *db = escb_db_handle($self);
        esc_escalation *out = NULL;
        if (db) escb_check(esc_escalation_get_by_ref(&out, db, external_ref), db);
        return out;
    }
    esc_escalation_list *query(const escb_filter *filter) {
        esc_db *db = escb_db_handle($self);
        esc_escalation_list *out = NULL;
        esc_filter f;
        if (db && escb_present(filter, "filter") && escb_filter_view(&f, filter) == ESC_OK)
            escb_check(esc_escalation_list_query(&out, db, &f), db);
        return out;
    }
    esc_event_list *history(const char *escalation_id) {
        esc_db *db = escb_db_handle($self);
        esc_event_list *out = NULL;
        if (db) escb_check(esc_history(&out, db, escalation_id), db);
        return out;
    }
    /* On success the snapshot is refreshed in place. */
    void act(esc_escalation *esc, const escb_action *action) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL || !escb_present(esc, "escalation") || !escb_present(action, "action"))
            return;
        esc_action a = escb_action_view(action);
        escb_check(esc_apply(db, esc, &a), db);
    }
    /* The first unmet guard (ESC_GUARD_NONE: allowed; ESC_GUARD_STATE: not
     * in this state).  actor_id NULL: authority is not judged. */
    int allowed(const esc_escalation *esc, int kind, const char *actor_id,
                const char *actor_name, int actor_tier) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return ESC_GUARD_NONE;
        esc_person actor = { actor_id, actor_name, actor_tier };
        esc_guard guard = ESC_GUARD_NONE;
        int rc = esc_action_allowed(&guard, db, esc, (esc_action_kind)kind,
                                    actor_id ? &actor : NULL);
        if (rc == ESC_EINVAL)
            escb_fail(rc, "unknown action kind");
        return guard;
    }
    /* The guard that refused the last apply on this handle. */
    int last_guard() {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_last_guard(db) : ESC_GUARD_NONE;
    }
    esc_verify_report *verify() {
        esc_db *db = escb_db_handle($self);
        esc_verify_report *out = NULL;
        if (db) escb_check(esc_db_verify(&out, db), db);
        return out;
    }
    long long rebuild() {
        esc_db *db = escb_db_handle($self);
        size_t rebuilt = 0;
        if (db) escb_check(esc_db_rebuild(&rebuilt, db), db);
        return (long long)rebuilt;
    }

    /* ---- access.h: a handle acting for one person ---- */

    /* For good: the library refuses a second viewer (ESC_EAUTHORITY). */
    void set_viewer(const char *id, const char *name, int tier) {
        esc_db *db = escb_db_handle($self);
        esc_person viewer = { id, name, tier };
        if (db) escb_check(esc_db_set_viewer(db, &viewer), db);
    }
    void set_confidential_tier(int tier) {
        esc_db *db = escb_db_handle($self);
        if (db) escb_check(esc_db_set_confidential_tier(db, tier), db);
    }
    int confidential_tier() {
        esc_db *db = escb_db_handle($self);
        return db ? esc_db_confidential_tier(db) : 0;
    }

    /* ---- timers.h: stored definitions, deadlines, the sweep, the outbox ---- */

    /* The version now current. */
    long long calendar_put(const char *name, const char *spec) {
        esc_db *db = escb_db_handle($self);
        int64_t version = 0;
        if (db) escb_check(esc_db_calendar_put(&version, db, name, spec), db);
        return version;
    }
    /* calendar_name: NULL (None/nil) for none. */
    long long policy_put(const char *name, const char *spec, const char *calendar_name) {
        esc_db *db = escb_db_handle($self);
        int64_t version = 0;
        if (db) escb_check(esc_db_policy_put(&version, db, name, spec, calendar_name), db);
        return version;
    }
    /* version 0: the latest. */
    esc_definition *calendar_get(const char *name, long long version) {
        esc_db *db = escb_db_handle($self);
        esc_definition *out = NULL;
        if (db) escb_check(esc_db_calendar_get(&out, db, name, version), db);
        return out;
    }
    esc_definition *policy_get(const char *name, long long version) {
        esc_db *db = escb_db_handle($self);
        esc_definition *out = NULL;
        if (db) escb_check(esc_db_policy_get(&out, db, name, version), db);
        return out;
    }
    esc_sla_policy *policy_load(const char *name) {
        esc_db *db = escb_db_handle($self);
        esc_sla_policy *out = NULL;
        if (db) escb_check(esc_db_policy_load(&out, db, name), db);
        return out;
    }
    esc_sla_clocks *sla(const esc_escalation *esc, long long now) {
        esc_db *db = escb_db_handle($self);
        esc_sla_clocks *out = NULL;
        if (db && escb_present(esc, "escalation"))
            escb_check(esc_escalation_sla(&out, db, esc, now), db);
        return out;
    }
    /* limit 0: the library's default (100); negative limits are refused
     * here rather than wrapped around into huge numbers. */
    esc_escalation_list *due(long long before, long long limit) {
        esc_db *db = escb_db_handle($self);
        esc_escalation_list *out = NULL;
        if (db == NULL)
            return NULL;
        if (limit < 0) {
            escb_fail(ESC_EINVAL, "limit must not be negative");
            return NULL;
        }
        escb_check(esc_escalation_list_due(&out, db, before, (size_t)limit), db);
        return out;
    }
    esc_sweep_stats *sweep(long long now) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return NULL;
        esc_sweep_stats *stats = malloc(sizeof *stats);
        if (stats == NULL) {
            escb_fail(ESC_ENOMEM, NULL);
            return NULL;
        }
        esc_sweep_stats init = ESC_SWEEP_STATS_INIT;
        *stats = init;
        if (escb_check(esc_sweep(stats, db, now), db) != ESC_OK) {
            free(stats);
            return NULL;
        }
        return stats;
    }
    esc_outbox_list *outbox(long long limit) {
        esc_db *db = escb_db_handle($self);
        esc_outbox_list *out = NULL;
        if (db == NULL)
            return NULL;
        if (limit < 0) {
            escb_fail(ESC_EINVAL, "limit must not be negative");
            return NULL;
        }
        escb_check(esc_outbox_fetch(&out, db, (size_t)limit), db);
        return out;
    }
    void ack(long long entry_id) {
        esc_db *db = escb_db_handle($self);
        if (db) escb_check(esc_outbox_ack(db, entry_id), db);
    }
}

/* ---- business calendars ------------------------------------------------------- */

/* The spec text comes from esc_calendar_format(): freed by its own function. */
%newobject esc_calendar::spec;
%typemap(newfree) char *spec "esc_calendar_spec_free($1);";

%extend esc_calendar {
    /* From a spec: "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-12-25". */
    esc_calendar(const char *spec) {
        esc_calendar *cal = NULL;
        char message[ESC_CALENDAR_ERRMSG_MAX];
        message[0] = '\0';
        int rc = esc_calendar_parse(&cal, spec, message, sizeof message);
        if (rc != ESC_OK)
            escb_fail(rc, message);
        return cal;
    }
    ~esc_calendar() { esc_calendar_free($self); }
    /* Method names differ from the C functions: SWIG names its helpers
     * esc_calendar_<method>, which must not collide with them. */
    const char *zone() { return esc_calendar_tz_name($self); }
    char *spec() {
        char *out = NULL;
        escb_check(esc_calendar_format(&out, $self), NULL);
        return out;
    }
    bool is_open(long long at) {
        int out = 0;
        escb_check(esc_calendar_is_business(&out, $self, at), NULL);
        return out != 0;
    }
    long long next_open(long long at) {
        int64_t out = 0;
        escb_check(esc_calendar_next_business(&out, $self, at), NULL);
        return out;
    }
    long long after(long long from, long long business_ms) {
        int64_t out = 0;
        escb_check(esc_calendar_add_business(&out, $self, from, business_ms), NULL);
        return out;
    }
    long long between(long long from, long long to) {
        int64_t out = 0;
        escb_check(esc_calendar_business_between(&out, $self, from, to), NULL);
        return out;
    }
}

/* ---- SLA policies and clocks (sla.h) ------------------------------------------- */

/* Method names differ from the C functions (esc_sla_policy_<method> would
 * collide with them, as for calendars).  Texts from esc_sla_policy_format()
 * and esc_calendar_format() are freed by their own functions. */
%newobject esc_sla_policy::canonical;
%typemap(newfree) char *canonical "esc_sla_spec_free($1);";
%newobject esc_sla_policy::calendar_text;
%typemap(newfree) char *calendar_text "esc_calendar_spec_free($1);";

%inline %{
/* From the one-line text form (esc_sla_policy_parse()). */
static esc_sla_policy *escb_sla_policy_parse(const char *spec)
{
    esc_sla_policy *pol = NULL;
    char message[ESC_SLA_ERRMSG_MAX];
    message[0] = '\0';
    int rc = esc_sla_policy_parse(&pol, spec, message, sizeof message);
    if (rc != ESC_OK)
        escb_fail(rc, message);
    return pol;
}

/* Without targets; calendar_spec NULL (None/nil) for wall time. */
static esc_sla_policy *escb_sla_policy_new(const char *calendar_spec)
{
    esc_sla_policy *pol = NULL;
    char message[ESC_SLA_ERRMSG_MAX];
    message[0] = '\0';
    int rc = esc_sla_policy_new(&pol, calendar_spec, message, sizeof message);
    if (rc != ESC_OK)
        escb_fail(rc, message);
    return pol;
}
%}

%extend esc_sla_policy {
    ~esc_sla_policy() { esc_sla_policy_free($self); }
    char *canonical() {
        char *out = NULL;
        escb_check(esc_sla_policy_format(&out, $self), NULL);
        return out;
    }
    /* The calendar's canonical text; NULL (None/nil) for wall time. */
    char *calendar_text() {
        const esc_calendar *cal = esc_sla_policy_calendar($self);
        char *out = NULL;
        if (cal != NULL)
            escb_check(esc_calendar_format(&out, cal), NULL);
        return out;
    }
    long long target_ms(int priority, int target) {
        int64_t out = 0;
        escb_check(esc_sla_policy_target(&out, $self, priority, (esc_sla_target)target), NULL);
        return out;
    }
    void put_target(int priority, int target, long long duration_ms) {
        escb_check(esc_sla_policy_set_target($self, priority, (esc_sla_target)target, duration_ms),
                   NULL);
    }
    void put_pause(int kind, bool pauses) {
        escb_check(esc_sla_policy_set_pause($self, (esc_hold)kind, pauses), NULL);
    }
    /* "75,90"; "" for none. */
    void put_warnings(const char *percentages) {
        int percent[ESC_SLA_WARNINGS_MAX];
        int count = escb_parse_percentages(percent, ESC_SLA_WARNINGS_MAX, percentages);
        if (count >= 0)
            escb_check(esc_sla_policy_set_warnings($self, count ? percent : NULL, (size_t)count),
                       NULL);
    }
    void append_rule(const escb_sla_rule *rule) {
        if (!escb_present(rule, "rule"))
            return;
        esc_sla_rule r = escb_sla_rule_view(rule);
        escb_check(esc_sla_policy_add_rule($self, &r), NULL);
    }
    /* The index-th rule, read field by field (names as in esc_sla_rule). */
    long long rule_number(size_t index, const char *field) {
        esc_sla_rule r;
        if (escb_check(esc_sla_policy_rule(&r, $self, index), NULL) != ESC_OK)
            return 0;
        if (strcmp(field, "target") == 0) return r.target;
        if (strcmp(field, "warning_percent") == 0) return r.warning_percent;
        if (strcmp(field, "tier") == 0) return r.tier;
        if (strcmp(field, "after_ms") == 0) return r.after_ms;
        if (strcmp(field, "repeat") == 0) return r.repeat;
        if (strcmp(field, "every_ms") == 0) return r.every_ms;
        if (strcmp(field, "move_up") == 0) return r.move_up;
        if (strcmp(field, "raise_priority") == 0) return r.raise_priority;
        escb_fail(ESC_EINVAL, "unknown rule number field");
        return 0;
    }
    /* watcher_id: NULL (None/nil) when none. */
    const char *rule_watcher(size_t index) {
        esc_sla_rule r;
        if (escb_check(esc_sla_policy_rule(&r, $self, index), NULL) != ESC_OK)
            return NULL;
        return r.watcher_id != NULL && r.watcher_id[0] != '\0' ? r.watcher_id : NULL;
    }
    /* The clocks of an escalation from its history (escb_db::history). */
    esc_sla_clocks *evaluate(const esc_event_list *history, long long now) {
        esc_sla_clocks *out = NULL;
        if (escb_present(history, "history"))
            escb_check(esc_sla_evaluate(&out, $self, history, now), NULL);
        return out;
    }
}

%extend esc_sla_clocks {
    ~esc_sla_clocks() { esc_sla_clocks_free($self); }
    /* esc_sla_clocks_next_warning(), its two results one at a time. */
    long long upcoming_warning(int target) {
        return esc_sla_clocks_next_warning($self, (esc_sla_target)target, NULL);
    }
    int upcoming_warning_percent(int target) {
        int percent = 0;
        esc_sla_clocks_next_warning($self, (esc_sla_target)target, &percent);
        return percent;
    }
}

%extend esc_definition {
    ~esc_definition() { esc_definition_free($self); }
}

/* ---- the outbox (timers.h) ------------------------------------------------------ */

/* Entries are read through their list, never lent out (as events are). */
%extend esc_outbox_list {
    ~esc_outbox_list() { esc_outbox_list_free($self); }
    size_t size() { return esc_outbox_list_count($self); }
    const char *text(size_t index, const char *field) {
        const esc_outbox_entry *e = esc_outbox_list_get($self, index);
        if (e == NULL) { escb_fail(ESC_ENOTFOUND, "index out of range"); return NULL; }
        if (strcmp(field, "escalation_id") == 0) return esc_outbox_entry_escalation_id(e);
        if (strcmp(field, "kind") == 0) return esc_outbox_entry_kind(e);
        if (strcmp(field, "payload") == 0) return esc_outbox_entry_payload(e);
        escb_fail(ESC_EINVAL, "unknown outbox text field");
        return NULL;
    }
    long long number(size_t index, const char *field) {
        const esc_outbox_entry *e = esc_outbox_list_get($self, index);
        if (e == NULL) { escb_fail(ESC_ENOTFOUND, "index out of range"); return 0; }
        if (strcmp(field, "id") == 0) return esc_outbox_entry_id(e);
        if (strcmp(field, "seq") == 0) return esc_outbox_entry_seq(e);
        if (strcmp(field, "due_at") == 0) return esc_outbox_entry_due_at(e);
        if (strcmp(field, "fired_at") == 0) return esc_outbox_entry_fired_at(e);
        escb_fail(ESC_EINVAL, "unknown outbox number field");
        return 0;
    }
}
