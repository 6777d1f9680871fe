/*
 * event_chain.h — the event hash chain (event_chain.c).
 */
#ifndef ESC_EVENT_CHAIN_H
#define ESC_EVENT_CHAIN_H

#include "store.h"

/* The hash of event e following an event whose hash is prev_hash ("" for
 * the first event of an escalation): lower-case hex SHA-256. */
void esc__event_chain_hash(char out[ESC_EVENT_HASH_SIZE], const char *prev_hash,
                           const struct esc_event *e);

/* The computed hash of the last event of a history ("" when empty): what
 * the next event links to, stored hashes or not. */
void esc__event_chain_head(char out[ESC_EVENT_HASH_SIZE], const struct esc_event_list *history);

/* Recompute the chain over one escalation's history (events in seq order)
 * and compare it with the stored hashes; ESC_ECORRUPT with the first
 * broken link described in what. */
int esc__event_chain_check(const struct esc_event_list *history, char *what, size_t size);

#endif /* ESC_EVENT_CHAIN_H */
