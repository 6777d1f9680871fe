/*
 * access.c — who may see and do what through a handle.  A handle opened by
 * the host's own code sees everything; one that acts for a person (a
 * viewer, esc_db_set_viewer()) sees only the escalations that person may
 * see, and may only act as that person.  Confidential escalations are
 * visible to their owner, opener and watchers and to anyone at the
 * handle's confidential tier or above (esc_db_set_confidential_tier()).
 * The lifecycle applies the same rule to every action's actor
 * (ESC_GUARD_CONFIDENTIAL), with or without a viewer.
 */
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "store.h"

ESC_EXTERN(int) esc_db_set_confidential_tier(esc_db *db, int tier)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (tier < 1 || tier > ESC_TIER_MAX)
        return esc__error(db, ESC_EINVAL, "confidential tier %d is out of range (1..%d)", tier,
                          ESC_TIER_MAX);
    if (db->has_viewer)
        return esc__error(db, ESC_EAUTHORITY, "a handle acting for a person cannot change who may see what");
    db->confidential_tier = tier;
    return ESC_OK;
}

ESC_EXTERN(int) esc_db_confidential_tier(const esc_db *db)
{
    return db ? db->confidential_tier : 0;
}

void esc__viewer_clear(esc_db *db)
{
    free((char *)db->viewer.id);
    free((char *)db->viewer.name);
    memset(&db->viewer, 0, sizeof db->viewer);
    db->has_viewer = 0;
}

ESC_EXTERN(int) esc_db_set_viewer(esc_db *db, const esc_person *viewer)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (viewer == NULL) {
        /* Widening a person's handle back to the host's would undo the rule. */
        if (db->has_viewer)
            return esc__error(db, ESC_EAUTHORITY, "a handle acting for a person stays so: open another");
        return ESC_OK;
    }
    if ((rc = esc__validate_person(db, viewer, "viewer", db->tier_count, 1)) != ESC_OK)
        return rc;
    if (db->has_viewer)
        return esc__error(db, ESC_EAUTHORITY, "this handle already acts for %s: open another",
                          db->viewer.id);
    char *id = NULL, *name = NULL;
    if (esc__set_text(&id, viewer->id) != ESC_OK || esc__set_text(&name, viewer->name) != ESC_OK) {
        free(id);
        free(name);
        return esc__error(db, ESC_ENOMEM, "out of memory");
    }
    db->viewer.id = id;
    db->viewer.name = name;
    db->viewer.tier = viewer->tier;
    db->has_viewer = 1;
    return ESC_OK;
}

const esc_access *esc__access_of(const esc_db *db, esc_access *storage)
{
    if (!db->has_viewer)
        return NULL;
    storage->id = db->viewer.id;
    storage->tier = db->viewer.tier;
    storage->confidential_tier = db->confidential_tier;
    return storage;
}

int esc__check_may_see(esc_db *db, const esc_escalation *esc)
{
    if (!db->has_viewer || esc__may_see(esc, &db->viewer, db->confidential_tier))
        return ESC_OK;
    /* The id is left out: asked by reference, it would tell an outsider
     * what the escalation is called. */
    return esc__error(db, ESC_EAUTHORITY, "the escalation is confidential: %s may not see it",
                      db->viewer.id);
}

int esc__check_may_read_id(esc_db *db, const char *id)
{
    if (!db->has_viewer)
        return ESC_OK;
    esc_escalation *esc = esc__escalation_new();
    if (esc == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    int rc = db->store_ops->load(db->store, esc, id);
    if (rc == ESC_OK)
        rc = esc__check_may_see(db, esc);
    esc_escalation_free(esc);
    return rc;
}

int esc__check_system(esc_db *db, const char *what)
{
    if (!db->has_viewer)
        return ESC_OK;
    return esc__error(db, ESC_EAUTHORITY, "%s is for the host's own handle, not one acting for %s",
                      what, db->viewer.id);
}

int esc__check_actor(esc_db *db, const esc_person *actor)
{
    if (!db->has_viewer)
        return ESC_OK;
    if (actor->id != NULL && strcmp(actor->id, db->viewer.id) == 0 && actor->tier == db->viewer.tier)
        return ESC_OK;
    return esc__error(db, ESC_EAUTHORITY, "this handle acts for %s (tier %d): it cannot act as %s",
                      db->viewer.id, db->viewer.tier, actor->id ? actor->id : "(nobody)");
}
