/*
 * lifecycle.c — reads the transition table: validates arguments, evaluates
 * guards, and applies each action's effect to the in-memory escalation.
 * Nothing here touches storage, so the same code serves live actions and
 * the replay behind verify and rebuild.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "text.h"

void esc__rules_from_db(esc_rules *rules, const esc_db *db)
{
    rules->tier_count = db->tier_count;
    rules->follow_up_attempts = db->options.follow_up_attempts;
    rules->now = 0;  /* read by the caller once per step (esc__step_time) */
    rules->confidential_tier = db->confidential_tier;
}

/* ---- argument validation ------------------------------------------------ */

static int check_text(esc_db *db, const char *value, const char *what, esc_text_kind kind,
                      int required)
{
    esc_text_verdict verdict = esc__text_check(value, kind);
    if (verdict == ESC_TEXT_OK || (verdict == ESC_TEXT_EMPTY && !required))
        return ESC_OK;
    if (verdict == ESC_TEXT_TOO_LONG)
        return esc__error(db, ESC_EINVAL, "%s is longer than %d bytes", what,
                          kind == ESC_TEXT_SHORT ? ESC_SHORT_TEXT_MAX : ESC_LONG_TEXT_MAX);
    return esc__error(db, ESC_EINVAL, "%s %s", what, esc__text_verdict_words(verdict));
}

static int person_given(const esc_person *person)
{
    return (person->id && person->id[0]) || (person->name && person->name[0]);
}

int esc__validate_person(esc_db *db, const esc_person *person, const char *role, int tier_count,
                         int need_tier)
{
    char what[64];
    int rc;
    if (person == NULL)
        return esc__error(db, ESC_EINVAL, "%s is missing (NULL)", role);
    snprintf(what, sizeof what, "%s id", role);
    if ((rc = check_text(db, person->id, what, ESC_TEXT_SHORT, 1)) != ESC_OK)
        return rc;
    snprintf(what, sizeof what, "%s name", role);
    if ((rc = check_text(db, person->name, what, ESC_TEXT_SHORT, 1)) != ESC_OK)
        return rc;
    if (need_tier && (person->tier < 1 || person->tier > tier_count))
        return esc__error(db, ESC_EINVAL, "%s tier %d is not on the ladder (1..%d)", role,
                          person->tier, tier_count);
    return ESC_OK;
}

/* The action's version and kind; every other field is checked by
 * validate_arguments(). */
static int validate_header(esc_db *db, const esc_action *a)
{
    if (a == NULL)
        return esc__error(db, ESC_EINVAL, "action is NULL");
    if (a->version != ESC_ACTION_VERSION)
        return esc__error(db, ESC_EINVAL, "action version %u is unknown (expected %d)",
                          a->version, ESC_ACTION_VERSION);
    if ((int)a->kind < 0 || (int)a->kind >= ESC_ACTION_COUNT)
        return esc__error(db, ESC_EINVAL, "action kind %d is out of range", (int)a->kind);
    if (a->kind == ESC_ACTION_OPEN)
        return esc__error(db, ESC_EINVAL, "open is done by esc_escalation_open()");
    return ESC_OK;
}

static int validate_arguments(esc_db *db, const esc_action *a, int tier_count);

int esc__validate_action(esc_db *db, const esc_action *a, int tier_count)
{
    int rc = validate_header(db, a);
    if (rc != ESC_OK)
        return rc;
    if (a->kind == ESC_ACTION_TIMER_FIRED)
        return esc__error(db, ESC_EINVAL, "timer_fired is recorded by esc_sweep() only");
    return validate_arguments(db, a, tier_count);
}

/* A firing the sweep could have recorded: known kind, target, stage. */
static int validate_timer(esc_db *db, const esc_step *step)
{
    const esc_timer_step *t = &step->timer;
    int sla = t->kind == ESC_TIMER_WARNING || t->kind == ESC_TIMER_BREACH || t->kind == ESC_TIMER_RULE;
    if (t->kind <= ESC_TIMER_NONE || t->kind >= ESC_TIMER_KIND_COUNT || t->due < 0 ||
        t->cycle < 0 || t->repeat < 0 || t->repeat >= ESC_SLA_REPEAT_MAX ||
        (sla && (t->target < 0 || t->target >= ESC_SLA_TARGET_COUNT)) ||
        (t->kind == ESC_TIMER_WARNING && (t->stage < 1 || t->percent < 1 || t->percent > 99)) ||
        (t->kind == ESC_TIMER_BREACH && t->stage < 1) ||
        (t->kind == ESC_TIMER_RULE && (t->rule < 1 || t->rule > ESC_SLA_RULES_MAX || t->rule_key <= 0)) ||
        (t->kind == ESC_TIMER_FOLLOW_UP && step->action.item < 1))
        return esc__error(db, ESC_EINVAL, "a timer firing with impossible fields");
    return ESC_OK;
}

int esc__validate_recorded(esc_db *db, const esc_step *step, int tier_count)
{
    int rc = validate_header(db, &step->action);
    if (rc != ESC_OK)
        return rc;
    if (step->action.kind == ESC_ACTION_TIMER_FIRED &&
        (rc = validate_timer(db, step)) != ESC_OK)
        return rc;
    return validate_arguments(db, &step->action, tier_count);
}

static int validate_arguments(esc_db *db, const esc_action *a, int tier_count)
{
    int rc = esc__validate_person(db, &a->actor, "actor", tier_count, 1);
    if (rc != ESC_OK)
        return rc;

    unsigned int args = esc__transitions[a->kind].args;
    const char *name = esc_action_name(a->kind);
    char what[64];
    snprintf(what, sizeof what, "%s text", name);
    if (args & (ESC_ARG_TEXT | ESC_ARG_TEXT_OPTIONAL | ESC_ARG_CORRECTION)) {
        int required = (args & ESC_ARG_TEXT) || ((args & ESC_ARG_CORRECTION) && !a->yes);
        if ((rc = check_text(db, a->text, what, ESC_TEXT_LONG, required)) != ESC_OK)
            return rc;
    }
    if ((args & ESC_ARG_TEXT_SHORT) &&
        (rc = check_text(db, a->text, what, ESC_TEXT_SHORT, 1)) != ESC_OK)
        return rc;
    snprintf(what, sizeof what, "%s category", name);
    if ((args & (ESC_ARG_CATEGORY | ESC_ARG_CATEGORY_OPTIONAL)) &&
        (rc = check_text(db, a->category, what, ESC_TEXT_SHORT, args & ESC_ARG_CATEGORY)) != ESC_OK)
        return rc;
    if ((args & ESC_ARG_PERSON) ||
        ((args & ESC_ARG_PERSON_OPTIONAL) && person_given(&a->person))) {
        /* Owners carry a tier (the ladder they sit on); watchers need not. */
        int need_tier = a->kind != ESC_ACTION_LOOP_IN;
        if ((rc = esc__validate_person(db, &a->person, "person", tier_count, need_tier)) != ESC_OK)
            return rc;
    }
    if ((args & ESC_ARG_TIER) && (a->tier < 1 || a->tier > tier_count))
        return esc__error(db, ESC_EINVAL, "tier %d is not on the ladder (1..%d)", a->tier,
                          tier_count);
    if ((args & ESC_ARG_HOLD) && (a->hold <= ESC_HOLD_NONE || a->hold >= ESC_HOLD_COUNT))
        return esc__error(db, ESC_EINVAL, "hold reason kind %d is out of range (1..%d)",
                          (int)a->hold, ESC_HOLD_COUNT - 1);
    if ((args & ESC_ARG_ASSESSMENT) &&
        (a->impact < 1 || a->impact > 4 || a->urgency < 1 || a->urgency > 4))
        return esc__error(db, ESC_EINVAL, "impact %d and urgency %d must both be 1..4",
                          a->impact, a->urgency);
    if (args & ESC_ARG_CLOSING) {
        if (a->satisfaction < 0 || a->satisfaction > 5)
            return esc__error(db, ESC_EINVAL, "satisfaction %d is out of range (0..5)",
                              a->satisfaction);
        if ((rc = check_text(db, a->lessons, "lessons", ESC_TEXT_LONG, 0)) != ESC_OK)
            return rc;
    }
    if (args & ESC_ARG_BRIEF) {
        if ((rc = check_text(db, a->brief_went_wrong, "brief (what went wrong)", ESC_TEXT_LONG, 0)) ||
            (rc = check_text(db, a->brief_tried, "brief (what was tried)", ESC_TEXT_LONG, 0)) ||
            (rc = check_text(db, a->brief_response, "brief (customer response)", ESC_TEXT_LONG, 0)))
            return rc;
    }
    if ((args & ESC_ARG_TIME_OPTIONAL) && a->at < 0)
        return esc__error(db, ESC_EINVAL, "time %lld is before the epoch", (long long)a->at);
    return ESC_OK;
}

int esc__validate_open(esc_db *db, const esc_open_params *p, int tier_count)
{
    int rc;
    if (p == NULL)
        return esc__error(db, ESC_EINVAL, "open parameters are NULL");
    if (p->version != ESC_OPEN_PARAMS_VERSION)
        return esc__error(db, ESC_EINVAL, "open parameters version %u is unknown", p->version);
    if ((rc = esc__validate_person(db, &p->actor, "actor", tier_count, 1)) != ESC_OK ||
        (rc = check_text(db, p->summary, "summary", ESC_TEXT_LONG, 1)) != ESC_OK ||
        (rc = check_text(db, p->customer_id, "customer id", ESC_TEXT_SHORT, 1)) != ESC_OK ||
        (rc = check_text(db, p->customer_name, "customer name", ESC_TEXT_SHORT, 0)) != ESC_OK ||
        (rc = check_text(db, p->external_ref, "external reference", ESC_TEXT_SHORT, 0)) != ESC_OK ||
        (p->sla_policy != NULL && p->sla_policy[0] != '\0' &&
         (rc = esc__check_definition_name(db, p->sla_policy, "SLA policy")) != ESC_OK))
        return rc;
    if ((int)p->channel < 0 || (int)p->channel >= ESC_CHANNEL_COUNT)
        return esc__error(db, ESC_EINVAL, "channel %d is out of range", (int)p->channel);
    if (p->impact < 1 || p->impact > 4 || p->urgency < 1 || p->urgency > 4)
        return esc__error(db, ESC_EINVAL, "impact %d and urgency %d must both be 1..4", p->impact,
                          p->urgency);
    return ESC_OK;
}

/* ---- guards ------------------------------------------------------------- */

static int has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int customer_note_since_listen(const esc_escalation *esc)
{
    const esc_item_array *notes = &esc->items[ESC_ITEM_NOTE];
    for (size_t i = 0; i < notes->count; i++)
        if (notes->items[i].flag && notes->items[i].number > esc->listen_mark)
            return 1;
    return 0;
}

/* The pending item of kind with this number; number 0 means "any pending"
 * (the question asked when the action's arguments are not known). */
static const esc_item *pending_item(const esc_escalation *esc, esc_item_kind kind, int number)
{
    const esc_item_array *array = &esc->items[kind];
    for (size_t i = 0; i < array->count; i++) {
        const esc_item *item = &array->items[i];
        if (item->status == ESC_ITEM_OPEN && (number == 0 || item->number == number))
            return item;
    }
    return NULL;
}

static int follow_up_attempts_used_up(const esc_escalation *esc, const esc_rules *rules)
{
    /* Only attempts since the last reopen count: a customer who reopened
     * has said the earlier resolution did not hold. */
    int unanswered = 0;
    const esc_item_array *follow_ups = &esc->items[ESC_ITEM_FOLLOW_UP];
    for (size_t i = 0; i < follow_ups->count; i++) {
        const esc_item *f = &follow_ups->items[i];
        if (f->number > esc->follow_up_mark && f->status == ESC_ITEM_DONE && !f->flag)
            unanswered++;
    }
    return unanswered >= rules->follow_up_attempts;
}

/* Does the actor have the authority this action needs?  Without the
 * action's arguments (a == NULL), the question is whether some use of the
 * action would be within the actor's authority. */
static int authority_met(esc_action_kind kind, const esc_escalation *esc, const esc_action *a,
                         const esc_person *actor)
{
    if (actor == NULL)
        return 1;
    if (kind == ESC_ACTION_DECIDE_EXCEPTION) {
        if (a != NULL) {
            const esc_item *request = pending_item(esc, ESC_ITEM_EXCEPTION, a->item);
            return request == NULL || actor->tier >= request->tier;
        }
        /* Can this actor decide at least one pending request? */
        const esc_item_array *requests = &esc->items[ESC_ITEM_EXCEPTION];
        for (size_t i = 0; i < requests->count; i++)
            if (requests->items[i].status == ESC_ITEM_OPEN && actor->tier >= requests->items[i].tier)
                return 1;
        return 0;
    }
    /* Moving down overrules the current tier's judgement: only someone at
     * that tier (or above) may do it.  Moving up needs no authority, so
     * without arguments the move is possible for anyone. */
    if (kind == ESC_ACTION_MOVE_TIER && a != NULL && a->tier < esc->tier)
        return actor->tier >= esc->tier;
    /* Calling it resolved without the customer's word is a supervisor's call. */
    if (kind == ESC_ACTION_CONFIRM_RESOLVED && a != NULL && !a->yes)
        return actor->tier >= ESC_UNCONFIRMED_RESOLVE_TIER;
    return 1;
}

static int guard_met(esc_guard guard, esc_action_kind kind, const esc_escalation *esc,
                     const esc_action *a, const esc_person *actor, const esc_rules *rules)
{
    switch (guard) {
    case ESC_GUARD_NONE:
    case ESC_GUARD_STATE:
        return 1;
    case ESC_GUARD_CUSTOMER_NOTE:
        return customer_note_since_listen(esc);
    case ESC_GUARD_PROBLEM_STATEMENT:
        return has_text(esc->problem);
    case ESC_GUARD_PLAN_STEP:
        return esc->items[ESC_ITEM_STEP].count > 0;
    case ESC_GUARD_PROMISED_TIME:
        return esc->promised_at > 0;
    case ESC_GUARD_OWNER:
        return a == NULL || person_given(&a->person);
    case ESC_GUARD_OPTION:
        if (a == NULL)
            return esc->items[ESC_ITEM_OPTION].count > 0;
        return a->item >= 1 && (size_t)a->item <= esc->items[ESC_ITEM_OPTION].count;
    case ESC_GUARD_FUTURE_TIME:
        return a == NULL || a->at > rules->now;
    case ESC_GUARD_PENDING_EXCEPTION:
        if (a != NULL && a->item < 1)
            return 0;
        return pending_item(esc, ESC_ITEM_EXCEPTION, a ? a->item : 0) != NULL;
    case ESC_GUARD_AUTHORITY:
        return authority_met(kind, esc, a, actor);
    case ESC_GUARD_NO_PENDING_EXCEPTION:
        return pending_item(esc, ESC_ITEM_EXCEPTION, 0) == NULL;
    case ESC_GUARD_PENDING_FOLLOW_UP:
        if (a != NULL && a->item < 1)
            return 0;
        return pending_item(esc, ESC_ITEM_FOLLOW_UP, a ? a->item : 0) != NULL;
    case ESC_GUARD_CUSTOMER_CONFIRMED:
        return a == NULL || a->yes || follow_up_attempts_used_up(esc, rules);
    case ESC_GUARD_ROOT_CAUSE:
        return a == NULL || (has_text(a->category) && has_text(a->text));
    case ESC_GUARD_HANDOVER_BRIEF:
        return a == NULL || (has_text(a->brief_went_wrong) && has_text(a->brief_tried) &&
                             has_text(a->brief_response));
    case ESC_GUARD_OTHER_TIER:
        if (a == NULL)
            return rules->tier_count > 1;
        return a->tier >= 1 && a->tier <= rules->tier_count && a->tier != esc->tier;
    case ESC_GUARD_ON_HOLD:
        return esc->hold != ESC_HOLD_NONE;
    case ESC_GUARD_NOT_ON_HOLD:
        return esc->hold == ESC_HOLD_NONE;
    case ESC_GUARD_CONFIDENTIAL:
        return esc__may_see(esc, actor, rules->confidential_tier);
    }
    return 0;
}

static int same_person(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int esc__may_see(const esc_escalation *esc, const esc_person *who, int confidential_tier)
{
    if (!esc->confidential || who == NULL || confidential_tier <= 0 ||
        who->tier >= confidential_tier)
        return 1;
    if (same_person(who->id, esc->owner_id) || same_person(who->id, esc->opened_by))
        return 1;
    const esc_item_array *watchers = &esc->items[ESC_ITEM_WATCHER];
    for (size_t i = 0; i < watchers->count; i++)
        if (same_person(who->id, watchers->items[i].person_id))
            return 1;
    return 0;
}

int esc__lifecycle_check(esc_guard *unmet, const esc_escalation *esc, esc_action_kind kind,
                         const esc_action *action, const esc_person *actor,
                         const esc_rules *rules)
{
    const esc_transition *t = &esc__transitions[kind];
    /* First, before anything about the escalation is told. */
    if (!esc__may_see(esc, actor, rules->confidential_tier)) {
        *unmet = ESC_GUARD_CONFIDENTIAL;
        return ESC_EAUTHORITY;
    }
    if (!(t->from_states & ESC_STATE_BIT(esc->state))) {
        *unmet = ESC_GUARD_STATE;
        return ESC_ETRANSITION;
    }
    for (int i = 0; i < ESC_MAX_GUARDS && t->guards[i] != ESC_GUARD_NONE; i++) {
        if (!guard_met(t->guards[i], kind, esc, action, actor, rules)) {
            *unmet = t->guards[i];
            return t->guards[i] == ESC_GUARD_AUTHORITY ? ESC_EAUTHORITY : ESC_EGUARD;
        }
    }
    *unmet = ESC_GUARD_NONE;
    return ESC_OK;
}

/* ---- effects ------------------------------------------------------------ */

/* Append an item of kind carrying the step's text, stamped with its time. */
static int add_item(esc_escalation *esc, esc_item_kind kind, const esc_step *step,
                    const char *text, esc_item **out)
{
    esc_item *item = NULL;
    if (out)
        *out = NULL;
    int rc = esc__item_append(esc, kind, &item);
    if (rc != ESC_OK)
        return rc;
    item->created_at = step->at;
    if (out)
        *out = item;
    return esc__set_text(&item->text, text);
}

static int add_person_item(esc_escalation *esc, esc_item_kind kind, const esc_step *step)
{
    const esc_action *a = &step->action;
    esc_item *item;
    int rc = add_item(esc, kind, step, NULL, &item);
    if (rc != ESC_OK)
        return rc;
    item->tier = a->person.tier;
    if ((rc = esc__set_text(&item->category, a->category)) != ESC_OK ||
        (rc = esc__set_text(&item->person_id, a->person.id)) != ESC_OK)
        return rc;
    return esc__set_text(&item->person_name, a->person.name);
}

static int decide_item(esc_item *item, esc_item_status status, const esc_step *step,
                       const char *decided_by)
{
    item->status = status;
    item->dirty = 1;
    int rc = esc__set_text(&item->decision, step->action.text);
    if (rc == ESC_OK)
        rc = esc__set_text(&item->decided_by, decided_by);
    return rc;
}

static int set_owner(esc_escalation *esc, const esc_person *person)
{
    int given = person_given(person);
    int rc = esc__set_text(&esc->owner_id, given ? person->id : NULL);
    if (rc == ESC_OK)
        rc = esc__set_text(&esc->owner_name, given ? person->name : NULL);
    return rc;
}

static int handover_note(esc_escalation *esc, const esc_step *step)
{
    const esc_action *a = &step->action;
    /* The guard makes sure all three exist when the step is taken; a
     * damaged log replayed by verify may lack them, and must not crash it. */
    const char *parts[3][2] = {
        { "What went wrong: ", a->brief_went_wrong ? a->brief_went_wrong : "" },
        { "What was tried: ", a->brief_tried ? a->brief_tried : "" },
        { "How the customer responded: ", a->brief_response ? a->brief_response : "" },
    };
    size_t size = 1;
    for (int i = 0; i < 3; i++)
        size += strlen(parts[i][0]) + strlen(parts[i][1]) + 1;
    char *text = malloc(size);
    if (text == NULL)
        return ESC_ENOMEM;
    text[0] = '\0';
    for (int i = 0; i < 3; i++) {
        strcat(text, parts[i][0]);
        strcat(text, parts[i][1]);
        if (i < 2)
            strcat(text, "\n");
    }
    esc_item *note;
    int rc = add_item(esc, ESC_ITEM_NOTE, step, text, &note);
    free(text);
    if (rc == ESC_OK)
        rc = esc__set_text(&note->category, "handover");
    return rc;
}

static int choose_option(esc_escalation *esc, int number)
{
    esc_item_array *options = &esc->items[ESC_ITEM_OPTION];
    for (size_t i = 0; i < options->count; i++) {
        int chosen = options->items[i].number == number;
        if (options->items[i].flag != chosen) {
            options->items[i].flag = chosen;
            options->items[i].dirty = 1;
        }
    }
    return ESC_OK;
}

static int complete_follow_up(esc_escalation *esc, const esc_step *step)
{
    const esc_action *a = &step->action;
    esc_item *item = esc__item_find(esc, ESC_ITEM_FOLLOW_UP, a->item);
    if (item == NULL)
        return ESC_EINTERNAL;
    item->flag = a->yes != 0;
    return decide_item(item, ESC_ITEM_DONE, step, a->actor.id);
}

static int apply_kind(esc_escalation *esc, const esc_step *step)
{
    const esc_action *a = &step->action;
    esc_item *item;
    int rc;
    switch (a->kind) {
    case ESC_ACTION_OPEN:
        return ESC_EINTERNAL;
    case ESC_ACTION_NOTE:
        rc = add_item(esc, ESC_ITEM_NOTE, step, a->text, &item);
        if (rc == ESC_OK) {
            item->flag = a->customer_account != 0;
            rc = esc__set_text(&item->person_id, a->actor.id);
        }
        return rc;
    case ESC_ACTION_ACK_EMOTION:
        return add_item(esc, ESC_ITEM_EMOTION, step, a->text, NULL);
    case ESC_ACTION_ADVANCE:
        return ESC_OK;
    case ESC_ACTION_RESUME:
        esc->hold = ESC_HOLD_NONE;
        esc->hold_since = 0;
        return esc__set_text(&esc->hold_reason, NULL);
    case ESC_ACTION_STATE_PROBLEM:
        esc->problem_confirmed = 0;
        return esc__set_text(&esc->problem, a->text);
    case ESC_ACTION_CONFIRM_PROBLEM:
        if (a->yes) {
            esc->problem_confirmed = 1;
            esc->state = ESC_STATE_PLAN;
            return ESC_OK;
        }
        /* The correction is the customer's own account: keep it as such. */
        esc->problem_confirmed = 0;
        rc = add_item(esc, ESC_ITEM_NOTE, step, a->text, &item);
        if (rc == ESC_OK) {
            item->flag = 1;
            rc = esc__set_text(&item->category, "correction");
        }
        return rc;
    case ESC_ACTION_ADD_STEP:
        rc = add_item(esc, ESC_ITEM_STEP, step, a->text, &item);
        if (rc == ESC_OK)
            item->at = a->at;
        return rc;
    case ESC_ACTION_OFFER_OPTION:
        return add_item(esc, ESC_ITEM_OPTION, step, a->text, NULL);
    case ESC_ACTION_CHOOSE_OPTION:
        return choose_option(esc, a->item);
    case ESC_ACTION_PROMISE:
        esc->promised_at = a->at;
        return ESC_OK;
    case ESC_ACTION_TAKE_OWNERSHIP:
        return set_owner(esc, &a->person);
    case ESC_ACTION_LOOP_IN:
        return add_person_item(esc, ESC_ITEM_WATCHER, step);
    case ESC_ACTION_SEND_UPDATE:
        return add_item(esc, ESC_ITEM_UPDATE, step, a->text, NULL);
    case ESC_ACTION_REQUEST_EXCEPTION:
        rc = add_item(esc, ESC_ITEM_EXCEPTION, step, a->text, &item);
        if (rc == ESC_OK) {
            item->tier = a->tier;
            rc = esc__set_text(&item->category, a->category);
        }
        if (rc == ESC_OK)
            rc = esc__set_text(&item->person_id, a->actor.id);
        if (rc == ESC_OK)
            rc = esc__set_text(&item->person_name, a->actor.name);
        return rc;
    case ESC_ACTION_DECIDE_EXCEPTION:
        item = esc__item_find(esc, ESC_ITEM_EXCEPTION, a->item);
        if (item == NULL)
            return ESC_EINTERNAL;
        return decide_item(item, a->yes ? ESC_ITEM_APPROVED : ESC_ITEM_DENIED, step, a->actor.id);
    case ESC_ACTION_RECORD_RESOLUTION:
        return esc__set_text(&esc->resolution, a->text);
    case ESC_ACTION_SCHEDULE_FOLLOW_UP:
        rc = add_item(esc, ESC_ITEM_FOLLOW_UP, step, a->text, &item);
        if (rc == ESC_OK)
            item->at = a->at;
        return rc;
    case ESC_ACTION_COMPLETE_FOLLOW_UP:
        return complete_follow_up(esc, step);
    case ESC_ACTION_CONFIRM_RESOLVED:
        esc->unconfirmed = !a->yes;
        return ESC_OK;
    case ESC_ACTION_REOPEN:
        /* The statement must be confirmed again; the old resolution did not hold. */
        esc->problem_confirmed = 0;
        esc->unconfirmed = 0;
        esc->reopen_count++;
        esc->follow_up_mark = (int)esc->items[ESC_ITEM_FOLLOW_UP].count;
        return esc__set_text(&esc->resolution, NULL);
    case ESC_ACTION_CLOSE:
        esc->satisfaction = a->satisfaction;
        if ((rc = esc__set_text(&esc->root_cause_category, a->category)) != ESC_OK ||
            (rc = esc__set_text(&esc->root_cause, a->text)) != ESC_OK)
            return rc;
        return esc__set_text(&esc->lessons, a->lessons);
    case ESC_ACTION_WITHDRAW:
        esc->withdrawn = 1;
        return esc__set_text(&esc->resolution, a->text);
    case ESC_ACTION_MOVE_TIER:
        /* The new handler listens first: only customer notes from now on
         * count, and the problem must be confirmed with them again. */
        esc->tier = a->tier;
        esc->problem_confirmed = 0;
        if ((rc = set_owner(esc, &a->person)) != ESC_OK)
            return rc;
        esc->listen_mark = (int)esc->items[ESC_ITEM_NOTE].count;
        /* The brief is an internal note, not the customer's account. */
        return handover_note(esc, step);
    case ESC_ACTION_HOLD:
        esc->hold = a->hold;
        esc->hold_since = step->at;
        return esc__set_text(&esc->hold_reason, a->text);
    case ESC_ACTION_REASSESS:
        esc->impact = a->impact;
        esc->urgency = a->urgency;
        esc->vip = a->vip != 0;
        esc->churn_risk = a->churn_risk != 0;
        esc->priority = step->priority;
        return ESC_OK;
    case ESC_ACTION_TAG:
        return add_item(esc, ESC_ITEM_TAG, step, a->text, NULL);
    case ESC_ACTION_TIMER_FIRED:
        /* Reminders fire in due order, so one instant says which are done. */
        if ((step->timer.kind == ESC_TIMER_PROMISE || step->timer.kind == ESC_TIMER_FOLLOW_UP) &&
            step->timer.due > esc->reminded_until)
            esc->reminded_until = step->timer.due;
        return ESC_OK;
    }
    return ESC_EINTERNAL;
}

int esc__lifecycle_effect(esc_escalation *esc, const esc_step *step)
{
    int rc = apply_kind(esc, step);
    if (rc != ESC_OK)
        return rc;
    int to = esc__transitions[step->action.kind].to_state;
    if (to >= 0)
        esc->state = (esc_state)to;
    /* Nobody waits on a resolved or closed escalation. */
    if (esc->state >= ESC_STATE_RESOLVED && esc->hold != ESC_HOLD_NONE) {
        esc->hold = ESC_HOLD_NONE;
        esc->hold_since = 0;
        if ((rc = esc__set_text(&esc->hold_reason, NULL)) != ESC_OK)
            return rc;
    }
    esc->version++;
    esc->updated_at = step->at;
    esc__escalation_update_due(esc);
    return ESC_OK;
}

int esc__lifecycle_open(esc_escalation *esc, const char *id, const esc_step *step)
{
    const esc_open_params *p = &step->open;
    int rc;
    snprintf(esc->id, sizeof esc->id, "%s", id);
    esc->version = 1;
    esc->state = ESC_STATE_LISTEN;
    esc->channel = p->channel;
    esc->impact = p->impact;
    esc->urgency = p->urgency;
    esc->vip = p->vip != 0;
    esc->churn_risk = p->churn_risk != 0;
    esc->confidential = p->confidential != 0;
    esc->priority = step->priority;
    esc->tier = 1;
    esc->created_at = step->at;
    esc->updated_at = step->at;
    if ((rc = esc__set_text(&esc->summary, p->summary)) != ESC_OK ||
        (rc = esc__set_text(&esc->customer_id, p->customer_id)) != ESC_OK ||
        (rc = esc__set_text(&esc->customer_name, has_text(p->customer_name) ? p->customer_name : NULL)) != ESC_OK ||
        (rc = esc__set_text(&esc->external_ref, has_text(p->external_ref) ? p->external_ref : NULL)) != ESC_OK ||
        (rc = esc__set_text(&esc->sla_policy, has_text(p->sla_policy) ? p->sla_policy : NULL)) != ESC_OK ||
        (rc = esc__set_text(&esc->opened_by, p->actor.id)) != ESC_OK)
        return rc;
    return ESC_OK;
}
