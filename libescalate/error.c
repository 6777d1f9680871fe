/*
 * error.c — status codes: their static names and descriptions, and the
 * per-handle "last error" (code, message, refused guard) every public call
 * leaves behind.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

typedef struct status_info {
    const char *name;
    const char *description;
} status_info;

/* Indexed by -code. */
static const status_info status_table[] = {
    { "ESC_OK", "success" },
    { "ESC_EINVAL", "invalid argument" },
    { "ESC_ENOTFOUND", "not found" },
    { "ESC_ETRANSITION", "action not allowed in the current state" },
    { "ESC_EGUARD", "a condition of the action is not met" },
    { "ESC_ECONFLICT", "the escalation was changed by someone else" },
    { "ESC_EBUSY", "the database is locked" },
    { "ESC_ECORRUPT", "the database (or a file it reads) is corrupt" },
    { "ESC_ENOTADB", "not an escalate database" },
    { "ESC_ESCHEMA", "the database is from a newer libescalate" },
    { "ESC_EIO", "input/output error" },
    { "ESC_EREADONLY", "the database is read-only" },
    { "ESC_ENOMEM", "out of memory" },
    { "ESC_EFULL", "the disk or database is full" },
    { "ESC_EAUTHORITY", "the acting person lacks the authority" },
    { "ESC_EEXISTS", "already exists" },
    { "ESC_EINTERNAL", "internal error" },
    { "ESC_ECALLBACK", "a host callback failed" },
};

static const status_info *status_lookup(int status)
{
    if (status > 0 || status < ESC_STATUS_MIN)
        return NULL;
    return &status_table[-status];
}

ESC_EXTERN(const char *) esc_status_name(int status)
{
    const status_info *info = status_lookup(status);
    return info ? info->name : "ESC_UNKNOWN";
}

ESC_EXTERN(const char *) esc_status_string(int status)
{
    const status_info *info = status_lookup(status);
    return info ? info->description : "unknown status code";
}

int esc__error(esc_db *db, int code, const char *fmt, ...)
{
    if (db == NULL)
        return code;
    db->errcode = code;
    if (code != ESC_EGUARD && code != ESC_EAUTHORITY && code != ESC_ETRANSITION)
        db->last_guard = ESC_GUARD_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

void esc__clear_error(esc_db *db)
{
    if (db == NULL)
        return;
    db->errcode = ESC_OK;
    db->last_guard = ESC_GUARD_NONE;
    db->errmsg[0] = '\0';
}

ESC_EXTERN(const char *) esc_db_errmsg(const esc_db *db)
{
    if (db == NULL)
        return "no database handle (NULL)";
    return db->errmsg;
}

ESC_EXTERN(int) esc_db_errcode(const esc_db *db)
{
    return db ? db->errcode : ESC_EINVAL;
}

ESC_EXTERN(esc_guard) esc_db_last_guard(const esc_db *db)
{
    return db ? db->last_guard : ESC_GUARD_NONE;
}
