/*
 * escalate/access.h — who may see and do what through a handle.
 *
 * A handle opened by the host's own code sees everything.  A handle that
 * acts for one person (esc_db_set_viewer()) shows that person only what
 * they may see, and takes steps only as them.
 *
 * A confidential escalation (esc_open_params.confidential) may be seen by
 * its owner, the person who opened it, its watchers, and anyone at the
 * confidential tier or above (esc_db_set_confidential_tier(), default
 * tier 2).  To everyone else it does not show in lists
 * (esc_escalation_list_query(), esc_escalation_list_due()), and reading it
 * (esc_escalation_get(), esc_escalation_get_by_ref(), esc_history(),
 * esc_escalation_sla()) gives ESC_EAUTHORITY.  Steps on it by such an actor
 * are refused with ESC_EAUTHORITY and ESC_GUARD_CONFIDENTIAL, with or
 * without a viewer.
 *
 * Other authority, checked on every step: deciding an exception request
 * needs the tier it asked for; moving down a tier needs the current tier;
 * recording a resolution the customer did not confirm needs tier 2
 * (confirm_resolved without yes).
 */
#ifndef ESCALATE_ACCESS_H
#define ESCALATE_ACCESS_H

#include "common.h"
#include "db.h"
#include "escalation.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Who may see confidential escalations by default: tier 2 and above. */
#define ESC_CONFIDENTIAL_TIER_DEFAULT 2

/**
 * Let this handle act for one person, for good.  From then on, every step
 * must name the viewer as its actor (same id and tier), confidential
 * escalations the viewer may not see are left out of lists and refused to
 * reads, and the host's own operations (esc_db_verify(), esc_db_rebuild(),
 * esc_sweep(), esc_outbox_fetch(), esc_outbox_ack(), esc_db_calendar_put(),
 * esc_db_policy_put(), esc_db_set_confidential_tier()) give ESC_EAUTHORITY.
 * @param viewer  the person (id, name, tier on the ladder); NULL does
 *                nothing on a handle without a viewer
 * @return ESC_OK, ESC_EINVAL (bad person), ESC_EAUTHORITY (the handle
 *         already acts for someone: that never changes), ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_viewer(esc_db *db, const esc_person *viewer);

/**
 * Set the tier from which people see every confidential escalation.
 * @return ESC_OK, ESC_EINVAL (tier outside 1..ESC_TIER_MAX),
 *         ESC_EAUTHORITY (on a viewer's handle)
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_confidential_tier(esc_db *db, int tier);

/** The confidential tier (0 for NULL). @since 1.0 */
ESC_EXTERN(int) esc_db_confidential_tier(const esc_db *db);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_ACCESS_H */
