/*
 * action_codec.c — one table says which step field is written under which
 * JSON key; encoding and decoding both walk it, so they cannot disagree.
 * An action records only the fields its table row says it uses, and of
 * those only the ones that differ from their initial value: payloads stay
 * short, and an absent key means "the default".
 */
#include <stddef.h>
#include <string.h>

#include "action_codec.h"

typedef enum field_type { FIELD_TEXT, FIELD_INT, FIELD_INT64, FIELD_BOOL } field_type;

typedef struct payload_field {
    const char *key;
    field_type type;
    size_t offset;
    unsigned int use;    /* the esc_use_flags bit that makes an action record it */
} payload_field;

#define TEXT(key, member, use) { key, FIELD_TEXT, offsetof(esc_step, member), ESC_USE_##use }
#define INT(key, member, use) { key, FIELD_INT, offsetof(esc_step, member), ESC_USE_##use }
#define INT64(key, member, use) { key, FIELD_INT64, offsetof(esc_step, member), ESC_USE_##use }
#define BOOL(key, member, use) { key, FIELD_BOOL, offsetof(esc_step, member), ESC_USE_##use }

/* Keys are part of the stored format: never rename one. */
static const payload_field fields[] = {
    TEXT("text", action.text, TEXT),
    TEXT("category", action.category, CATEGORY),
    TEXT("person_id", action.person.id, PERSON),
    TEXT("person_name", action.person.name, PERSON),
    INT("person_tier", action.person.tier, PERSON),
    INT64("at", action.at, AT),
    INT("item", action.item, ITEM),
    BOOL("yes", action.yes, YES),
    INT("tier", action.tier, TIER),
    BOOL("customer_account", action.customer_account, CUSTOMER_ACCOUNT),
    INT("hold", action.hold, HOLD),
    INT("impact", action.impact, ASSESSMENT),
    INT("urgency", action.urgency, ASSESSMENT),
    BOOL("vip", action.vip, ASSESSMENT),
    BOOL("churn_risk", action.churn_risk, ASSESSMENT),
    INT("priority", priority, ASSESSMENT),
    INT("satisfaction", action.satisfaction, CLOSING),
    TEXT("lessons", action.lessons, CLOSING),
    TEXT("brief_went_wrong", action.brief_went_wrong, BRIEF),
    TEXT("brief_tried", action.brief_tried, BRIEF),
    TEXT("brief_response", action.brief_response, BRIEF),
    TEXT("summary", open.summary, OPEN),
    TEXT("customer_id", open.customer_id, OPEN),
    TEXT("customer_name", open.customer_name, OPEN),
    TEXT("external_ref", open.external_ref, OPEN),
    INT("channel", open.channel, OPEN),
    INT("open_impact", open.impact, OPEN),
    INT("open_urgency", open.urgency, OPEN),
    BOOL("open_vip", open.vip, OPEN),
    BOOL("open_churn_risk", open.churn_risk, OPEN),
    BOOL("confidential", open.confidential, OPEN),
    INT("open_priority", priority, OPEN),
    TEXT("sla_policy", open.sla_policy, OPEN),
    INT("timer", timer.kind, TIMER),
    INT("target", timer.target, TIMER),
    INT("stage", timer.stage, TIMER),
    INT("percent", timer.percent, TIMER),
    INT64("cycle", timer.cycle, TIMER),
    INT("rule", timer.rule, TIMER),
    INT64("rule_key", timer.rule_key, TIMER),
    INT("repeat", timer.repeat, TIMER),
    INT64("due", timer.due, TIMER),
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static void *field_at(const esc_step *step, const payload_field *f)
{
    return (char *)step + f->offset;
}

int esc__payload_encode(char **out, const esc_step *step)
{
    esc_json_writer w;
    esc__json_begin(&w);
    unsigned int uses = esc__transitions[step->action.kind].uses;
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const payload_field *f = &fields[i];
        if (!(f->use & uses))
            continue;
        void *p = field_at(step, f);
        switch (f->type) {
        case FIELD_TEXT: {
            const char *text = *(const char *const *)p;
            if (text != NULL && text[0] != '\0')
                esc__json_string(&w, f->key, text);
            break;
        }
        case FIELD_INT:
            if (*(const int *)p != 0)
                esc__json_int(&w, f->key, *(const int *)p);
            break;
        case FIELD_INT64:
            if (*(const int64_t *)p != 0)
                esc__json_int(&w, f->key, *(const int64_t *)p);
            break;
        case FIELD_BOOL:
            if (*(const int *)p != 0)
                esc__json_bool(&w, f->key, 1);
            break;
        }
    }
    return esc__json_end(&w, out) == 0 ? ESC_OK : ESC_ENOMEM;
}

/* The field called key that this kind of action records, or NULL. */
static const payload_field *field_named(const char *key, unsigned int uses)
{
    for (size_t i = 0; i < FIELD_COUNT; i++)
        if ((fields[i].use & uses) && strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

int esc__payload_decode(esc_step *step, esc_json_object *storage, const char *payload, size_t len)
{
    memset(storage, 0, sizeof *storage);
    int rc = esc__json_parse(storage, payload, len);
    if (rc == -2)
        return ESC_ENOMEM;
    if (rc != 0)
        return ESC_ECORRUPT;
    unsigned int uses = esc__transitions[step->action.kind].uses;
    for (size_t i = 0; i < storage->count; i++) {
        const esc_json_field *jf = &storage->fields[i];
        const payload_field *f = field_named(jf->key, uses);
        if (f == NULL)
            goto corrupt;
        void *p = field_at(step, f);
        switch (f->type) {
        case FIELD_TEXT:
            if (jf->type != ESC_JSON_STRING)
                goto corrupt;
            *(const char **)p = jf->string;
            break;
        case FIELD_INT:
            if (jf->type != ESC_JSON_INT || jf->number < INT32_MIN || jf->number > INT32_MAX)
                goto corrupt;
            *(int *)p = (int)jf->number;
            break;
        case FIELD_INT64:
            if (jf->type != ESC_JSON_INT)
                goto corrupt;
            *(int64_t *)p = jf->number;
            break;
        case FIELD_BOOL:
            if (jf->type != ESC_JSON_BOOL)
                goto corrupt;
            *(int *)p = (int)jf->number;
            break;
        }
    }
    return ESC_OK;
corrupt:
    esc__json_object_free(storage);
    memset(storage, 0, sizeof *storage);
    return ESC_ECORRUPT;
}
