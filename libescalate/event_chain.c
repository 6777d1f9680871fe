/*
 * event_chain.c — the tamper-evident event history.  Each event's hash is
 * SHA-256 over the previous event's hash and every recorded field of the
 * event, so an edit anywhere in an escalation's history (a changed field,
 * a removed or reordered event) breaks every hash after it; esc_db_verify()
 * recomputes the chain.  Events written before the chain existed (schema 3
 * and older) have no stored hash; their hashes are computed all the same,
 * so the first stored hash vouches for them too.
 */
#include <stdio.h>
#include <string.h>

#include "event_chain.h"
#include "sha256.h"

/* Decimal digits of v at the end of buf (which holds 24); returns where
 * they start.  By hand: formatting every field with snprintf cost as much
 * as the hashing itself. */
static char *decimal(char *buf, uint64_t v, int negative)
{
    char *p = buf + 24;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    if (negative)
        *--p = '-';
    return p;
}

/* Length-prefixed ("5:hello"), so that no choice of field contents can
 * make two different events serialise alike. */
static void put_bytes(esc_sha256 *ctx, const char *text, size_t len)
{
    char buf[25];
    buf[24] = ':';
    char *start = decimal(buf, len, 0);
    esc__sha256_update(ctx, start, (size_t)(buf + 25 - start));
    if (len > 0)
        esc__sha256_update(ctx, text, len);
}

static void put_field(esc_sha256 *ctx, const char *text)
{
    put_bytes(ctx, text, text ? strlen(text) : 0);
}

static void put_number(esc_sha256 *ctx, int64_t value)
{
    char buf[24];
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char *start = decimal(buf, magnitude, value < 0);
    put_bytes(ctx, start, (size_t)(buf + 24 - start));
}

void esc__event_chain_hash(char out[ESC_EVENT_HASH_SIZE], const char *prev_hash,
                           const struct esc_event *e)
{
    esc_sha256 ctx;
    esc__sha256_init(&ctx);
    put_field(&ctx, "escalate-event-1");
    put_field(&ctx, prev_hash);
    put_field(&ctx, e->escalation_id);
    put_number(&ctx, e->seq);
    put_number(&ctx, e->at);
    put_number(&ctx, e->action);
    put_field(&ctx, e->actor_id);
    put_field(&ctx, e->actor_name);
    put_number(&ctx, e->actor_tier);
    put_number(&ctx, e->from_state);
    put_number(&ctx, e->to_state);
    put_field(&ctx, e->payload);
    unsigned char digest[ESC_SHA256_SIZE];
    esc__sha256_final(&ctx, digest);
    esc__sha256_hex(out, digest);
}

void esc__event_chain_head(char out[ESC_EVENT_HASH_SIZE], const struct esc_event_list *history)
{
    out[0] = '\0';
    for (size_t i = 0; i < history->count; i++) {
        char next[ESC_EVENT_HASH_SIZE];
        esc__event_chain_hash(next, out, &history->events[i]);
        memcpy(out, next, ESC_EVENT_HASH_SIZE);
    }
}

int esc__event_chain_check(const struct esc_event_list *history, char *what, size_t size)
{
    char prev[ESC_EVENT_HASH_SIZE] = "";
    int hashed = 0;
    for (size_t i = 0; i < history->count; i++) {
        const struct esc_event *e = &history->events[i];
        char computed[ESC_EVENT_HASH_SIZE];
        esc__event_chain_hash(computed, prev, e);
        if (e->hash[0] == '\0' && hashed) {
            snprintf(what, size, "event %lld has lost its hash", (long long)e->seq);
            return ESC_ECORRUPT;
        }
        if (e->hash[0] != '\0' && strcmp(e->hash, computed) != 0) {
            snprintf(what, size,
                     "event %lld does not match its hash: the history was edited behind the library's back",
                     (long long)e->seq);
            return ESC_ECORRUPT;
        }
        hashed = hashed || e->hash[0] != '\0';
        memcpy(prev, computed, sizeof prev);
    }
    return ESC_OK;
}
