/*
 * names.c — the stable text names of every enumeration (states, channels,
 * holds, item kinds, actions, guards).  These names are written into event
 * payloads and printed by tools, so they never change once released.
 */
#include <string.h>

#include "internal.h"

static const char *const state_names[ESC_STATE_COUNT] = {
    "listen", "clarify", "plan", "own", "follow_up", "resolved", "closed",
};

static const char *const channel_names[ESC_CHANNEL_COUNT] = {
    "phone", "email", "chat", "social", "in_person",
};

static const char *const hold_names[ESC_HOLD_COUNT] = {
    "none", "customer", "third_party", "internal",
};

static const char *const item_kind_names[ESC_ITEM_KIND_COUNT] = {
    "note", "emotion", "step", "option", "watcher", "update", "exception", "follow_up", "tag",
};

static const char *const action_names[ESC_ACTION_COUNT] = {
    "open", "note", "ack_emotion", "advance", "state_problem", "confirm_problem",
    "add_step", "offer_option", "choose_option", "promise", "take_ownership", "loop_in",
    "send_update", "request_exception", "decide_exception", "record_resolution",
    "schedule_follow_up", "complete_follow_up", "confirm_resolved", "reopen", "close",
    "withdraw", "move_tier", "hold", "resume", "reassess", "tag", "timer_fired",
};

static const char *const guard_names[ESC_GUARD_COUNT] = {
    "none", "state", "customer_note", "problem_statement", "plan_step", "promised_time",
    "owner", "option", "future_time", "pending_exception", "authority",
    "no_pending_exception", "pending_follow_up", "customer_confirmed", "root_cause",
    "handover_brief", "other_tier", "on_hold", "not_on_hold", "confidential",
};

static const char *const guard_descriptions[ESC_GUARD_COUNT] = {
    "nothing is unmet",
    "the action is not allowed in the current state",
    "no note of the customer's own account has been recorded since this handler began listening",
    "no problem statement has been written",
    "the plan has no step",
    "no time has been promised to the customer",
    "no owner is named",
    "no such option has been offered",
    "the time is not in the future",
    "no such exception request is pending",
    "the acting person's tier is too low",
    "an exception request is still pending",
    "no such follow-up is pending",
    "the customer has not confirmed and the agreed follow-up attempts are not used up",
    "a root cause needs both a category and a description",
    "a handover brief needs what went wrong, what was tried and how the customer responded",
    "the target tier is not on the ladder or is the current tier",
    "the escalation is not on hold",
    "the escalation is already on hold",
    "the escalation is confidential: only its owner, watchers, opener and higher tiers may see it",
};

static const char *name_at(const char *const *table, int count, int index)
{
    return (index >= 0 && index < count) ? table[index] : NULL;
}

static int name_find(const char *const *table, int count, const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(table[i], name) == 0)
            return i;
    return -1;
}

ESC_EXTERN(const char *) esc_state_name(esc_state state)
{
    return name_at(state_names, ESC_STATE_COUNT, (int)state);
}

ESC_EXTERN(const char *) esc_channel_name(esc_channel channel)
{
    return name_at(channel_names, ESC_CHANNEL_COUNT, (int)channel);
}

ESC_EXTERN(const char *) esc_hold_name(esc_hold hold)
{
    return name_at(hold_names, ESC_HOLD_COUNT, (int)hold);
}

ESC_EXTERN(const char *) esc_item_kind_name(esc_item_kind kind)
{
    return name_at(item_kind_names, ESC_ITEM_KIND_COUNT, (int)kind);
}

ESC_EXTERN(const char *) esc_action_name(esc_action_kind kind)
{
    return name_at(action_names, ESC_ACTION_COUNT, (int)kind);
}

ESC_EXTERN(const char *) esc_guard_name(esc_guard guard)
{
    return name_at(guard_names, ESC_GUARD_COUNT, (int)guard);
}

ESC_EXTERN(const char *) esc_guard_description(esc_guard guard)
{
    return name_at(guard_descriptions, ESC_GUARD_COUNT, (int)guard);
}

ESC_EXTERN(int) esc_state_from_name(esc_state *out, const char *name)
{
    int index = name_find(state_names, ESC_STATE_COUNT, name);
    if (out == NULL || index < 0)
        return ESC_EINVAL;
    *out = (esc_state)index;
    return ESC_OK;
}

ESC_EXTERN(int) esc_action_from_name(esc_action_kind *out, const char *name)
{
    int index = name_find(action_names, ESC_ACTION_COUNT, name);
    if (out == NULL || index < 0)
        return ESC_EINVAL;
    *out = (esc_action_kind)index;
    return ESC_OK;
}
