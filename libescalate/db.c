/*
 * db.c — the esc_db handle: options, opening and closing the store, the
 * injectable clock, the per-handle priority matrix and tier ladder, and
 * batches of steps committed together.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "timers.h"
#include "text.h"

const char *const esc__default_tier_names[4] = {
    "frontline", "supervisor", "specialist", "leadership",
};

ESC_EXTERN(int) esc_db_options_init(esc_db_options *opts, unsigned int version)
{
    if (opts == NULL || version != ESC_DB_OPTIONS_VERSION)
        return ESC_EINVAL;
    esc_db_options defaults = ESC_DB_OPTIONS_INIT;
    *opts = defaults;
    return ESC_OK;
}

static int64_t system_clock(void *payload)
{
    (void)payload;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void free_tier_names(esc_db *db)
{
    for (int i = 0; i < ESC_TIER_MAX; i++) {
        free(db->tier_names[i]);
        db->tier_names[i] = NULL;
    }
    db->tier_count = 0;
}

ESC_EXTERN(int) esc_db_set_tiers(esc_db *db, const char *const *names, int count)
{
    if (db == NULL)
        return ESC_EINVAL;
    esc__clear_error(db);
    if (names == NULL) {
        names = esc__default_tier_names;
        count = 4;
    }
    if (count < 1 || count > ESC_TIER_MAX)
        return esc__error(db, ESC_EINVAL, "a ladder has 1..%d tiers, not %d", ESC_TIER_MAX, count);
    for (int i = 0; i < count; i++) {
        esc_text_verdict verdict = esc__text_check(names[i], ESC_TEXT_SHORT);
        if (verdict != ESC_TEXT_OK)
            return esc__error(db, ESC_EINVAL, "tier %d name %s", i + 1,
                              esc__text_verdict_words(verdict));
    }
    char *copies[ESC_TIER_MAX] = { NULL };
    for (int i = 0; i < count; i++) {
        if (esc__set_text(&copies[i], names[i]) != ESC_OK) {
            for (int j = 0; j < i; j++)
                free(copies[j]);
            return esc__error(db, ESC_ENOMEM, "out of memory naming tiers");
        }
    }
    free_tier_names(db);
    memcpy(db->tier_names, copies, sizeof copies);
    db->tier_count = count;
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_tier_count(const esc_db *db)
{
    return db ? db->tier_count : 0;
}

ESC_EXTERN(const char *) esc_db_tier_name(const esc_db *db, int tier)
{
    if (db == NULL || tier < 1 || tier > db->tier_count)
        return NULL;
    return db->tier_names[tier - 1];
}

static int check_options(esc_db *db, const esc_db_options *opts)
{
    if (opts->version != ESC_DB_OPTIONS_VERSION)
        return esc__error(db, ESC_EINVAL, "options version %u is unknown (expected %d)",
                          opts->version, ESC_DB_OPTIONS_VERSION);
    if (opts->flags & ~(unsigned int)(ESC_OPEN_CREATE | ESC_OPEN_READONLY))
        return esc__error(db, ESC_EINVAL, "unknown open flags 0x%x", opts->flags);
    if ((opts->flags & ESC_OPEN_CREATE) && (opts->flags & ESC_OPEN_READONLY))
        return esc__error(db, ESC_EINVAL, "ESC_OPEN_CREATE and ESC_OPEN_READONLY exclude each other");
    if (opts->busy_timeout_ms < 0)
        return esc__error(db, ESC_EINVAL, "busy timeout %d ms is negative", opts->busy_timeout_ms);
    if (opts->file_mode & ~0777u)
        return esc__error(db, ESC_EINVAL, "file mode %o has bits beyond 0777", opts->file_mode);
    if (opts->follow_up_attempts < 0)
        return esc__error(db, ESC_EINVAL, "follow-up attempts %d is negative",
                          opts->follow_up_attempts);
    if (opts->journal != ESC_JOURNAL_WAL && opts->journal != ESC_JOURNAL_ROLLBACK)
        return esc__error(db, ESC_EINVAL, "journal %d is not ESC_JOURNAL_WAL or ESC_JOURNAL_ROLLBACK",
                          opts->journal);
    if (opts->sync != ESC_SYNC_NORMAL && opts->sync != ESC_SYNC_FULL)
        return esc__error(db, ESC_EINVAL, "sync %d is not ESC_SYNC_NORMAL or ESC_SYNC_FULL", opts->sync);
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_open(esc_db **out, const char *path, const esc_db_options *opts)
{
    if (out == NULL)
        return ESC_EINVAL;
    esc_db *db = calloc(1, sizeof *db);
    *out = db;
    if (db == NULL)
        return ESC_ENOMEM;
    memcpy(db->priority_matrix, esc__default_priority_matrix, sizeof db->priority_matrix);
    int rc = esc_db_set_tiers(db, NULL, 0);
    if (rc != ESC_OK)
        return rc;
    esc_db_options defaults = ESC_DB_OPTIONS_INIT;
    if (opts != NULL && (rc = check_options(db, opts)) != ESC_OK)
        return rc;
    db->options = opts ? *opts : defaults;
    if (db->options.clock == NULL)
        db->options.clock = system_clock;
    if (db->options.follow_up_attempts == 0)
        db->options.follow_up_attempts = 3;
    db->confidential_tier = ESC_CONFIDENTIAL_TIER_DEFAULT;
    if (path == NULL)
        return esc__error(db, ESC_EINVAL, "path is NULL");
    esc_text_verdict verdict = esc__text_check(path, ESC_TEXT_LONG);
    if (verdict != ESC_TEXT_OK && !(verdict == ESC_TEXT_EMPTY && path != NULL))
        return esc__error(db, ESC_EINVAL, "path %s", esc__text_verdict_words(verdict));
    db->store_ops = &esc__sqlite_store;
    rc = db->store_ops->open(&db->store, db, path, &db->options);
    if (rc != ESC_OK)
        return rc;
    db->readonly = db->store_ops->is_readonly(db->store);
    return ESC_OK;
}

ESC_EXTERN(void) esc_db_close(esc_db *db)
{
    if (db == NULL)
        return;
    if (db->store != NULL) {
        if (db->store_ops->in_batch(db->store))
            db->store_ops->batch_rollback(db->store);
        db->store_ops->close(db->store);
    }
    esc__events_discard(db);
    esc__policy_cache_free(db);
    esc__viewer_clear(db);
    free_tier_names(db);
    free(db);
}

ESC_EXTERN(int) esc_db_set_clock(esc_db *db, esc_clock_fn clock, void *payload)
{
    if (db == NULL)
        return ESC_EINVAL;
    esc__clear_error(db);
    db->options.clock = clock ? clock : system_clock;
    db->options.clock_payload = clock ? payload : NULL;
    return ESC_OK;
}

ESC_EXTERN(int64_t) esc_db_now(const esc_db *db)
{
    if (db == NULL || db->options.clock == NULL)
        return system_clock(NULL);
    return db->options.clock(db->options.clock_payload);
}

int esc__step_time(esc_db *db, int64_t *out)
{
    *out = esc_db_now(db);
    if (*out < 0)
        return esc__error(db, ESC_ECALLBACK, "the clock callback failed (it returned %lld)",
                          (long long)*out);
    /* Every instant the library records must be one its calendars accept. */
    if (*out > ESC_CALENDAR_TIME_MAX)
        return esc__error(db, ESC_ECALLBACK, "the clock returned %lld, after the year 9999",
                          (long long)*out);
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_schema_version(const esc_db *db)
{
    if (db == NULL || db->store == NULL)
        return 0;
    return db->store_ops->schema_version(db->store);
}

/* Public calls that need an opened store start here. */
int esc__db_ready(esc_db *db)
{
    if (db == NULL)
        return ESC_EINVAL;
    esc__clear_error(db);
    if (db->store == NULL)
        return esc__error(db, ESC_EINVAL, "the database handle failed to open; close it");
    return ESC_OK;
}

int esc__check_writable(esc_db *db)
{
    if (db->readonly)
        return esc__error(db, ESC_EREADONLY, "the database is open read-only");
    return ESC_OK;
}

int esc__db_ready_for(esc_db *db, const void *out)
{
    int rc = esc__db_ready(db);
    if (rc == ESC_OK && out == NULL)
        rc = esc__error(db, ESC_EINVAL, "out is NULL");
    return rc;
}

int esc__check_key(esc_db *db, const char *key, const char *what)
{
    esc_text_verdict verdict = esc__text_check(key, ESC_TEXT_SHORT);
    if (verdict == ESC_TEXT_OK)
        return ESC_OK;
    return esc__error(db, ESC_EINVAL, "%s %s", what, esc__text_verdict_words(verdict));
}

ESC_EXTERN(int) esc_db_batch_begin(esc_db *db)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (db->store_ops->in_batch(db->store))
        return esc__error(db, ESC_EINVAL, "a batch is already open on this handle");
    if ((rc = esc__check_writable(db)) != ESC_OK)
        return rc;
    return db->store_ops->batch_begin(db->store);
}

ESC_EXTERN(int) esc_db_batch_commit(esc_db *db)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (!db->store_ops->in_batch(db->store))
        return esc__error(db, ESC_EINVAL, "no batch is open on this handle");
    rc = db->store_ops->batch_commit(db->store);
    /* A batch that cannot commit is rolled back whole: half a batch is
     * never left waiting for a second try. */
    if (rc != ESC_OK) {
        db->store_ops->batch_rollback(db->store);
        esc__events_discard(db);
        return rc;
    }
    esc__events_deliver(db);
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_batch_rollback(esc_db *db)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (!db->store_ops->in_batch(db->store))
        return esc__error(db, ESC_EINVAL, "no batch is open on this handle");
    esc__events_discard(db);
    return db->store_ops->batch_rollback(db->store);
}
