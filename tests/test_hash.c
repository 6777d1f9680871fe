/*
 * test_hash.c — SHA-256 against the FIPS 180-4 test vectors, and the event
 * hash chain: deterministic, sensitive to every field and to its
 * predecessor (white-box: links the convenience library).
 */
#include <string.h>

#include "event_chain.h"
#include "sha256.h"
#include "testutil.h"

static void hex_of(char out[ESC_SHA256_HEX_SIZE], const char *data, size_t len, size_t repeat)
{
    esc_sha256 ctx;
    esc__sha256_init(&ctx);
    for (size_t i = 0; i < repeat; i++)
        esc__sha256_update(&ctx, data, len);
    unsigned char digest[ESC_SHA256_SIZE];
    esc__sha256_final(&ctx, digest);
    esc__sha256_hex(out, digest);
}

START_TEST(test_sha256_vectors)
{
    char out[ESC_SHA256_HEX_SIZE];
    hex_of(out, "", 0, 1);
    ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of(out, "abc", 3, 1);
    ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(out, two_blocks, strlen(two_blocks), 1);
    ck_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million 'a's, fed in pieces that straddle block boundaries. */
    char as[1000];
    memset(as, 'a', sizeof as);
    hex_of(out, as, sizeof as, 1000);
    ck_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(test_chain_covers_every_field)
{
    struct esc_event base = { .seq = 2, .at = T0, .action = ESC_ACTION_NOTE, .actor_id = "agt-1",
                              .actor_name = "Priya", .actor_tier = 1, .from_state = ESC_STATE_LISTEN,
                              .to_state = ESC_STATE_LISTEN, .payload = "{\"text\":\"hi\"}" };
    memcpy(base.escalation_id, "00000000-0000-4000-8000-000000000000", 37);
    char h[ESC_EVENT_HASH_SIZE], again[ESC_EVENT_HASH_SIZE], other[ESC_EVENT_HASH_SIZE];
    esc__event_chain_hash(h, "prev", &base);
    esc__event_chain_hash(again, "prev", &base);
    ck_assert_str_eq(h, again);
    /* The serialisation is part of the stored format: SHA-256 of
     * "16:escalate-event-1" "4:prev" "36:<id>" "1:2" "13:<at>" ... */
    ck_assert_str_eq(h, "a4559982eb4b1f029de10072a558dff1eb66d577322dc4d7d45abb101678fca1");
    ck_assert_uint_eq(strlen(h), 64);
    esc__event_chain_hash(other, "prev2", &base);
    ck_assert_str_ne(h, other);
    struct esc_event e;
#define CHANGED(field, value) \
    e = base; e.field = value; esc__event_chain_hash(other, "prev", &e); ck_assert_str_ne(h, other);
    CHANGED(seq, 3)
    CHANGED(at, T0 + 1)
    CHANGED(action, ESC_ACTION_TAG)
    CHANGED(actor_id, "agt-2")
    CHANGED(actor_name, "Priy")
    CHANGED(actor_tier, 2)
    CHANGED(from_state, ESC_STATE_CLARIFY)
    CHANGED(to_state, ESC_STATE_CLARIFY)
    CHANGED(payload, "{\"text\":\"hi!\"}")
#undef CHANGED
    /* Field boundaries are unambiguous: moving a byte between two text
     * fields changes the hash. */
    e = base;
    e.actor_id = "agt-1P";
    e.actor_name = "riya";
    esc__event_chain_hash(other, "prev", &e);
    ck_assert_str_ne(h, other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("sha256");
    tcase_add_test(tc, test_sha256_vectors);
    tcase_add_test(tc, test_chain_covers_every_field);
    suite_add_tcase(s, tc);
    return test_run(s);
}
