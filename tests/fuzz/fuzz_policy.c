/*
 * fuzz_policy.c — the text form of an SLA policy (esc_sla_policy_parse,
 * sla.h): targets, warnings, pauses, escalation rules ("rule resolution
 * breach tier=1 move_up watch=lead-7") and an embedded calendar=[...],
 * as read from a command line or from a policy stored in a database.
 *
 * The input is the spec (up to its first NUL).  Promises checked:
 *  - errbuf is a NUL-terminated, valid UTF-8 message that fits in
 *    ESC_SLA_ERRMSG_MAX bytes: "" on success, non-empty on failure;
 *  - an accepted policy keeps what its setters allow: targets in range,
 *    warnings ascending in 1..99, at most ESC_SLA_RULES_MAX rules, each
 *    rule's fields in range and its watcher a valid id;
 *  - it formats to text that parses to a policy with the same text.
 */
#include "fuzz.h"

#include "escalate.h"
#include "text.h"

#define ERRBUF_SIZE (4 * ESC_SLA_ERRMSG_MAX)

static void check_message(const char *errbuf, int rc)
{
    FUZZ_CHECK(fuzz_terminated(errbuf, ERRBUF_SIZE), "errbuf not terminated");
    size_t n = strlen(errbuf);
    FUZZ_CHECK(esc__utf8_valid(errbuf, n), "errbuf is not UTF-8");
    FUZZ_CHECK(n < ESC_SLA_ERRMSG_MAX, "a %zu-byte message does not fit ESC_SLA_ERRMSG_MAX: %s",
               n, errbuf);
    if (rc == ESC_OK)
        FUZZ_CHECK(n == 0, "a message on success: %s", errbuf);
    else
        FUZZ_CHECK(n > 0, "no message for status %d", rc);
}

static int is_warning(const esc_sla_policy *pol, int percent)
{
    for (size_t i = 0; i < esc_sla_policy_warning_count(pol); i++)
        if (esc_sla_policy_warning(pol, i) == percent)
            return 1;
    return 0;
}

static void check_policy(const esc_sla_policy *pol)
{
    for (int p = ESC_SLA_PRIORITY_MIN; p <= ESC_SLA_PRIORITY_MAX; p++)
        for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++) {
            int64_t ms = -1;
            FUZZ_CHECK(esc_sla_policy_target(&ms, pol, p, (esc_sla_target)t) == ESC_OK,
                       "target p%d/%d", p, t);
            FUZZ_CHECK(ms >= 0 && ms <= ESC_SLA_DURATION_MAX, "target p%d/%d is %lld ms", p, t,
                       (long long)ms);
        }
    size_t warnings = esc_sla_policy_warning_count(pol);
    FUZZ_CHECK(warnings <= ESC_SLA_WARNINGS_MAX, "%zu warnings", warnings);
    for (size_t i = 0; i < warnings; i++) {
        int w = esc_sla_policy_warning(pol, i);
        FUZZ_CHECK(w >= 1 && w <= 99, "warning %d", w);
        FUZZ_CHECK(i == 0 || esc_sla_policy_warning(pol, i - 1) < w, "warnings not ascending");
    }
    size_t rules = esc_sla_policy_rule_count(pol);
    FUZZ_CHECK(rules <= ESC_SLA_RULES_MAX, "%zu rules", rules);
    for (size_t i = 0; i < rules; i++) {
        esc_sla_rule r;
        FUZZ_CHECK(esc_sla_policy_rule(&r, pol, i) == ESC_OK, "rule %zu", i);
        FUZZ_CHECK((int)r.target >= 0 && (int)r.target < ESC_SLA_TARGET_COUNT, "rule target");
        FUZZ_CHECK(r.warning_percent == 0 || is_warning(pol, r.warning_percent),
                   "rule %zu fires at %d%%, not a warning", i, r.warning_percent);
        FUZZ_CHECK(r.tier >= 0 && r.tier <= ESC_TIER_MAX, "rule tier %d", r.tier);
        FUZZ_CHECK(r.after_ms >= 0 && r.after_ms <= ESC_SLA_DURATION_MAX, "rule after");
        FUZZ_CHECK(r.repeat >= 1 && r.repeat <= ESC_SLA_REPEAT_MAX, "rule repeat %d", r.repeat);
        FUZZ_CHECK(r.repeat > 1 ? (r.every_ms >= 1 && r.every_ms <= ESC_SLA_DURATION_MAX)
                                : r.every_ms == 0, "rule every");
        FUZZ_CHECK((r.move_up == 0 || r.move_up == 1) &&
                   (r.raise_priority == 0 || r.raise_priority == 1), "rule flags");
        if (r.watcher_id != NULL) {
            size_t n = strlen(r.watcher_id);
            FUZZ_CHECK(n >= 1 && n <= 200 &&   /* sla.h: watcher_id */
                       esc__text_check(r.watcher_id, ESC_TEXT_SHORT) == ESC_TEXT_OK,
                       "rule %zu watcher id", i);
            FUZZ_CHECK(strpbrk(r.watcher_id, " ;[]=") == NULL, "rule %zu watcher id \"%s\"", i,
                       r.watcher_id);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = fuzz_cstring(data, size);
    if (spec == NULL)
        return 0;
    char errbuf[ERRBUF_SIZE];
    memset(errbuf, 'x', sizeof errbuf);
    esc_sla_policy *pol = NULL;
    int rc = esc_sla_policy_parse(&pol, spec, errbuf, sizeof errbuf);
    check_message(errbuf, rc);
    if (rc != ESC_OK) {
        FUZZ_CHECK(pol == NULL, "a refusal returned a policy");
        free(spec);
        return 0;
    }
    FUZZ_CHECK(pol != NULL, "no policy");
    check_policy(pol);

    char *text = NULL;
    rc = esc_sla_policy_format(&text, pol);
    FUZZ_CHECK(rc == ESC_OK || rc == ESC_ENOMEM, "format %d", rc);
    if (rc == ESC_OK) {
        esc_sla_policy *again = NULL;
        rc = esc_sla_policy_parse(&again, text, errbuf, sizeof errbuf);
        FUZZ_CHECK(rc == ESC_OK || rc == ESC_ENOMEM, "the canonical text \"%s\" is refused: %s",
                   text, errbuf);
        if (rc == ESC_OK) {
            char *text2 = NULL;
            if (esc_sla_policy_format(&text2, again) == ESC_OK)
                FUZZ_CHECK(strcmp(text, text2) == 0, "not canonical: \"%s\" then \"%s\"", text,
                           text2);
            esc_sla_spec_free(text2);
            esc_sla_policy_free(again);
        }
        esc_sla_spec_free(text);
    }
    esc_sla_policy_free(pol);
    free(spec);
    return 0;
}
