/*
 * fuzz_payload.c — decoding an event's payload into the step it records
 * (esc__payload_decode, action_codec.h): what replay, verify, rebuild and
 * the SLA clocks do with every event read back from a database file.
 *
 * Input: byte 0 picks the event's action kind (modulo ESC_ACTION_COUNT),
 * the rest is the payload text, exactly size - 1 bytes.  Promises checked:
 *  - the status is ESC_OK, ESC_ECORRUPT or ESC_ENOMEM, and a refusal
 *    leaves the storage empty;
 *  - an accepted step's text fields are NULL or valid UTF-8 pointing into
 *    the storage;
 *  - encoding the decoded step gives a payload that decodes again, and
 *    encoding that gives the same bytes (one step, one payload).
 */
#include "fuzz.h"

#include "action_codec.h"
#include "text.h"

static void check_text(const char *s, const char *what)
{
    if (s != NULL)
        FUZZ_CHECK(esc__utf8_valid(s, strlen(s)), "%s is not UTF-8", what);
}

static void check_step(const esc_step *step)
{
    const esc_action *a = &step->action;
    check_text(a->text, "text");
    check_text(a->category, "category");
    check_text(a->person.id, "person id");
    check_text(a->person.name, "person name");
    check_text(a->lessons, "lessons");
    check_text(a->brief_went_wrong, "brief_went_wrong");
    check_text(a->brief_tried, "brief_tried");
    check_text(a->brief_response, "brief_response");
    check_text(step->open.summary, "summary");
    check_text(step->open.customer_id, "customer_id");
    check_text(step->open.customer_name, "customer_name");
    check_text(step->open.external_ref, "external_ref");
    check_text(step->open.sla_policy, "sla_policy");
}

static void fresh_step(esc_step *step, esc_action_kind kind)
{
    memset(step, 0, sizeof *step);
    step->action.version = ESC_ACTION_VERSION;
    step->action.kind = kind;
    step->action.actor.id = "fuzz-actor";
    step->action.actor.name = "Fuzz Actor";
    step->action.actor.tier = 1;
    step->open.version = ESC_OPEN_PARAMS_VERSION;
    step->at = INT64_C(1767603600000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    esc_action_kind kind = (esc_action_kind)(data[0] % ESC_ACTION_COUNT);
    const char *payload = (const char *)data + 1;
    size_t len = size - 1;

    esc_step step;
    esc_json_object storage;
    fresh_step(&step, kind);
    int rc = esc__payload_decode(&step, &storage, payload, len);
    FUZZ_CHECK(rc == ESC_OK || rc == ESC_ECORRUPT || rc == ESC_ENOMEM, "status %d", rc);
    if (rc != ESC_OK) {
        FUZZ_CHECK(storage.count == 0 && storage.fields == NULL, "a refusal left %zu fields",
                   storage.count);
        return 0;
    }
    check_step(&step);

    char *first = NULL;
    if (esc__payload_encode(&first, &step) == ESC_OK) {
        esc_step again;
        esc_json_object storage2;
        fresh_step(&again, kind);
        int rc2 = esc__payload_decode(&again, &storage2, first, strlen(first));
        FUZZ_CHECK(rc2 == ESC_OK || rc2 == ESC_ENOMEM, "the encoder's own payload is refused "
                   "(%d) for kind %d: %s", rc2, (int)kind, first);
        if (rc2 == ESC_OK) {
            char *second = NULL;
            if (esc__payload_encode(&second, &again) == ESC_OK)
                FUZZ_CHECK(strcmp(first, second) == 0, "not canonical: %s then %s", first, second);
            free(second);
            esc__json_object_free(&storage2);
        }
        free(first);
    }
    esc__json_object_free(&storage);
    return 0;
}
