/*
 * escalate.h — the one header a host includes to use libescalate: the
 * escalation lifecycle as a persisted state machine.
 */
#ifndef ESCALATE_H
#define ESCALATE_H

#include "escalate/common.h"
#include "escalate/db.h"
#include "escalate/escalation.h"
#include "escalate/action.h"
#include "escalate/query.h"
#include "escalate/calendar.h"
#include "escalate/sla.h"
#include "escalate/timers.h"
#include "escalate/access.h"

#endif /* ESCALATE_H */
