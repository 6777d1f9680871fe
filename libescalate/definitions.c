/*
 * definitions.c — stored calendars and SLA policies: storing a new version
 * (and recomputing the deadlines that depend on it, in the same
 * transaction), reading versions back, building the policy in effect, and
 * the handle's small cache of built policies that every timed step uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sla_model.h"
#include "timers.h"

/* ---- names and definitions ------------------------------------------------ */

int esc__check_definition_name(esc_db *db, const char *name, const char *what)
{
    if (name == NULL)
        return esc__error(db, ESC_EINVAL, "%s name is NULL", what);
    size_t len = strlen(name);
    if (len == 0 || len > ESC_DEFINITION_NAME_MAX)
        return esc__error(db, ESC_EINVAL, "%s name must be 1..%d bytes", what,
                          ESC_DEFINITION_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        if (!ok)
            return esc__error(db, ESC_EINVAL,
                              "%s name may hold letters, digits, '-', '_' and '.' only", what);
    }
    return ESC_OK;
}

ESC_EXTERN(void) esc_definition_free(esc_definition *def)
{
    if (def == NULL)
        return;
    esc__definition_clear(def);
    free(def);
}

ESC_EXTERN(const char *) esc_definition_name(const esc_definition *def)
{
    return def && def->name ? def->name : "";
}

ESC_EXTERN(int64_t) esc_definition_version(const esc_definition *def)
{
    return def ? def->version : 0;
}

ESC_EXTERN(const char *) esc_definition_spec(const esc_definition *def)
{
    return def && def->spec ? def->spec : "";
}

ESC_EXTERN(const char *) esc_definition_calendar(const esc_definition *def)
{
    return def ? def->calendar : NULL;
}

ESC_EXTERN(int64_t) esc_definition_created_at(const esc_definition *def)
{
    return def ? def->created_at : 0;
}

static int get_definition(esc_definition **out, esc_db *db, esc_definition_kind kind,
                          const char *name, int64_t version)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK ||
        (rc = esc__check_definition_name(db, name, kind == ESC_DEFINITION_POLICY ? "policy" : "calendar")) != ESC_OK)
        return rc;
    if (version < 0)
        return esc__error(db, ESC_EINVAL, "version %lld is negative", (long long)version);
    esc_definition *def = calloc(1, sizeof *def);
    if (def == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    rc = db->store_ops->definition_get(db->store, kind, name, version, def);
    if (rc != ESC_OK) {
        esc_definition_free(def);
        return rc;
    }
    *out = def;
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_calendar_get(esc_definition **out, esc_db *db, const char *name,
                                    int64_t version)
{
    return get_definition(out, db, ESC_DEFINITION_CALENDAR, name, version);
}

ESC_EXTERN(int) esc_db_policy_get(esc_definition **out, esc_db *db, const char *name,
                                  int64_t version)
{
    return get_definition(out, db, ESC_DEFINITION_POLICY, name, version);
}

/* ---- building the policy in effect ---------------------------------------- */

/* The latest policy version called name and, when it names one, the latest
 * version of its calendar (cal is then filled in, else left empty). */
static int read_in_effect(esc_db *db, const char *name, struct esc_definition *pol,
                          struct esc_definition *cal)
{
    int rc = db->store_ops->definition_get(db->store, ESC_DEFINITION_POLICY, name, 0, pol);
    if (rc == ESC_OK && pol->calendar != NULL)
        rc = db->store_ops->definition_get(db->store, ESC_DEFINITION_CALENDAR, pol->calendar, 0, cal);
    return rc;
}

/* Build a policy from stored texts that were valid when stored. */
static int build_policy(esc_db *db, const struct esc_definition *pol_def,
                        const struct esc_definition *cal_def, esc_sla_policy **out)
{
    char msg[ESC_SLA_ERRMSG_MAX] = "";
    esc_sla_policy *pol = NULL;
    int rc = esc_sla_policy_parse(&pol, pol_def->spec, msg, sizeof msg);
    if (rc == ESC_OK && cal_def->spec != NULL) {
        esc_calendar *cal = NULL;
        rc = esc__sla_calendar(&cal, cal_def->spec, msg, sizeof msg);
        if (rc == ESC_OK) {
            esc_calendar_free(pol->calendar);
            pol->calendar = cal;
        }
    }
    if (rc != ESC_OK) {
        esc_sla_policy_free(pol);
        if (rc == ESC_ENOMEM)
            return esc__error(db, rc, "out of memory building policy %s", pol_def->name);
        return esc__error(db, ESC_ECORRUPT, "stored policy %s (version %lld) no longer builds: %s",
                          pol_def->name, (long long)pol_def->version, msg);
    }
    *out = pol;
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_policy_load(esc_sla_policy **out, esc_db *db, const char *name)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK || (rc = esc__check_definition_name(db, name, "policy")) != ESC_OK)
        return rc;
    struct esc_definition pol = { 0 }, cal = { 0 };
    int started;
    rc = db->store_ops->read_begin(db->store, &started);
    if (rc == ESC_OK) {
        rc = read_in_effect(db, name, &pol, &cal);
        db->store_ops->read_end(db->store, started);
    }
    if (rc == ESC_OK)
        rc = build_policy(db, &pol, &cal, out);
    esc__definition_clear(&pol);
    esc__definition_clear(&cal);
    return rc;
}

/* ---- the handle's cache --------------------------------------------------- */

/* A handle times escalations under a few policies; each built policy is
 * kept with the versions it was built from and rebuilt only when a newer
 * version is stored (checked on every use: another handle may store one). */
#define POLICY_CACHE_SLOTS 8

typedef struct cached_policy {
    char *name;
    int64_t policy_version;
    int64_t calendar_version;
    esc_sla_policy *policy;
} cached_policy;

struct esc_policy_cache {
    cached_policy slots[POLICY_CACHE_SLOTS];
    size_t next_victim;
};

void esc__policy_cache_free(esc_db *db)
{
    if (db->policy_cache == NULL)
        return;
    for (size_t i = 0; i < POLICY_CACHE_SLOTS; i++) {
        free(db->policy_cache->slots[i].name);
        esc_sla_policy_free(db->policy_cache->slots[i].policy);
    }
    free(db->policy_cache);
    db->policy_cache = NULL;
}

static cached_policy *cache_slot(struct esc_policy_cache *cache, const char *name)
{
    for (size_t i = 0; i < POLICY_CACHE_SLOTS; i++)
        if (cache->slots[i].name != NULL && strcmp(cache->slots[i].name, name) == 0)
            return &cache->slots[i];
    cached_policy *victim = &cache->slots[cache->next_victim];
    cache->next_victim = (cache->next_victim + 1) % POLICY_CACHE_SLOTS;
    free(victim->name);
    esc_sla_policy_free(victim->policy);
    memset(victim, 0, sizeof *victim);
    return victim;
}

static int cached_in_effect(esc_db *db, const char *name, const esc_sla_policy **out)
{
    if (db->policy_cache == NULL && (db->policy_cache = calloc(1, sizeof *db->policy_cache)) == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    struct esc_definition pol = { 0 }, cal = { 0 };
    int rc = read_in_effect(db, name, &pol, &cal);
    if (rc == ESC_ENOTFOUND)
        rc = esc__error(db, ESC_ECORRUPT, "SLA policy %s is named by an escalation but not stored",
                        name);
    cached_policy *slot = NULL;
    if (rc == ESC_OK) {
        slot = cache_slot(db->policy_cache, name);
        if (slot->policy == NULL || slot->policy_version != pol.version ||
            slot->calendar_version != cal.version) {
            esc_sla_policy *built = NULL;
            rc = build_policy(db, &pol, &cal, &built);
            if (rc == ESC_OK && slot->name == NULL && esc__set_text(&slot->name, name) != ESC_OK)
                rc = esc__error(db, ESC_ENOMEM, "out of memory");
            if (rc == ESC_OK) {
                esc_sla_policy_free(slot->policy);
                slot->policy = built;
                slot->policy_version = pol.version;
                slot->calendar_version = cal.version;
            } else {
                esc_sla_policy_free(built);
            }
        }
    }
    if (rc == ESC_OK)
        *out = slot->policy;
    esc__definition_clear(&pol);
    esc__definition_clear(&cal);
    return rc;
}

int esc__timers_policy(esc_db *db, const esc_escalation *esc, const esc_sla_policy **out)
{
    *out = NULL;
    if (esc->sla_policy == NULL)
        return ESC_OK;
    return cached_in_effect(db, esc->sla_policy, out);
}

/* ---- storing a version ---------------------------------------------------- */

static int refresh_one(const char *id, void *payload)
{
    esc_db *db = payload;
    esc_escalation *esc = esc__escalation_new();
    if (esc == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory recomputing deadlines");
    int rc = db->store_ops->load(db->store, esc, id);
    if (rc == ESC_OK)
        rc = esc__timers_refresh(db, esc);
    esc_escalation_free(esc);
    /* One escalation that cannot be timed (a damaged history: verify says
     * which) must not hold every policy change back; its timers stay. */
    if (rc == ESC_ECORRUPT || rc == ESC_EINVAL) {
        esc__clear_error(db);
        rc = ESC_OK;
    }
    return rc;
}

/* Store def as the next version of its name unless the latest version is
 * the same, then recompute what depends on it; one transaction. */
static int put_definition(int64_t *out_version, esc_db *db, esc_definition_kind kind,
                          struct esc_definition *def)
{
    const esc_store_ops *ops = db->store_ops;
    struct esc_definition latest = { 0 };
    int rc = ops->step_begin(db->store);
    if (rc != ESC_OK)
        return rc;
    int same = 0;
    rc = ops->definition_get(db->store, kind, def->name, 0, &latest);
    if (rc == ESC_ENOTFOUND) {
        esc__clear_error(db);
        rc = ESC_OK;
    } else if (rc == ESC_OK) {
        same = strcmp(latest.spec, def->spec) == 0 &&
               ((latest.calendar == NULL && def->calendar == NULL) ||
                (latest.calendar != NULL && def->calendar != NULL &&
                 strcmp(latest.calendar, def->calendar) == 0));
    }
    def->version = latest.version + (same ? 0 : 1);
    if (rc == ESC_OK && !same && (rc = esc__step_time(db, &def->created_at)) == ESC_OK &&
        (rc = ops->definition_put(db->store, kind, def)) == ESC_OK)
        rc = kind == ESC_DEFINITION_POLICY
                 ? ops->each_open_with_policy(db->store, def->name, refresh_one, db)
                 : ops->each_open_with_calendar(db->store, def->name, refresh_one, db);
    if (rc == ESC_OK)
        rc = ops->step_commit(db->store);
    if (rc != ESC_OK)
        ops->step_rollback(db->store);
    else if (out_version != NULL)
        *out_version = def->version;
    esc__definition_clear(&latest);
    return rc;
}

static int ready_to_store(esc_db *db, const char *name, const char *spec, const char *what)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK || (rc = esc__check_definition_name(db, name, what)) != ESC_OK ||
        (rc = esc__check_system(db, "storing a calendar or policy")) != ESC_OK)
        return rc;
    if (spec == NULL)
        return esc__error(db, ESC_EINVAL, "%s spec is NULL", what);
    return esc__check_writable(db);
}

ESC_EXTERN(int) esc_db_calendar_put(int64_t *out_version, esc_db *db, const char *name,
                                    const char *spec)
{
    int rc = ready_to_store(db, name, spec, "calendar");
    if (rc != ESC_OK)
        return rc;
    char msg[ESC_SLA_ERRMSG_MAX] = "";
    esc_calendar *cal = NULL;
    if ((rc = esc__sla_calendar(&cal, spec, msg, sizeof msg)) != ESC_OK)
        return esc__error(db, rc, "%s", msg);
    /* The canonical text: equal calendars are stored once. */
    struct esc_definition def = { .name = (char *)name };
    rc = esc_calendar_format(&def.spec, cal);
    esc_calendar_free(cal);
    if (rc != ESC_OK)
        return esc__error(db, rc, "out of memory");
    rc = put_definition(out_version, db, ESC_DEFINITION_CALENDAR, &def);
    esc_calendar_spec_free(def.spec);
    return rc;
}

ESC_EXTERN(int) esc_db_policy_put(int64_t *out_version, esc_db *db, const char *name,
                                  const char *spec, const char *calendar_name)
{
    int rc = ready_to_store(db, name, spec, "policy");
    if (rc != ESC_OK)
        return rc;
    if (calendar_name != NULL && (rc = esc__check_definition_name(db, calendar_name, "calendar")) != ESC_OK)
        return rc;
    char msg[ESC_SLA_ERRMSG_MAX] = "";
    esc_sla_policy *pol = NULL;
    if ((rc = esc_sla_policy_parse(&pol, spec, msg, sizeof msg)) != ESC_OK)
        return esc__error(db, rc, "%s", msg);
    struct esc_definition def = { .name = (char *)name, .calendar = (char *)calendar_name };
    if (calendar_name != NULL && esc_sla_policy_calendar(pol) != NULL) {
        rc = esc__error(db, ESC_EINVAL,
                        "the spec has its own calendar; give either calendar= or a stored calendar");
    } else if (calendar_name != NULL) {
        /* The calendar must exist now; later versions of it apply as stored. */
        struct esc_definition cal = { 0 };
        rc = db->store_ops->definition_get(db->store, ESC_DEFINITION_CALENDAR, calendar_name, 0, &cal);
        esc__definition_clear(&cal);
    }
    if (rc == ESC_OK && (rc = esc_sla_policy_format(&def.spec, pol)) != ESC_OK)
        rc = esc__error(db, rc, "out of memory");
    /* With a stored calendar, the canonical "calendar=wall" would mislead a
     * reader of the stored text: leave the item out (it is the default). */
    static const char wall[] = "calendar=wall; ";
    if (rc == ESC_OK && calendar_name != NULL && strncmp(def.spec, wall, sizeof wall - 1) == 0)
        memmove(def.spec, def.spec + sizeof wall - 1, strlen(def.spec) - (sizeof wall - 1) + 1);
    esc_sla_policy_free(pol);
    if (rc == ESC_OK)
        rc = put_definition(out_version, db, ESC_DEFINITION_POLICY, &def);
    esc_sla_spec_free(def.spec);
    return rc;
}
