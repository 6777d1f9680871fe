/*
 * action_codec.h — a recorded step's arguments to and from the JSON payload
 * of its event.  The kind, actor and time live in the event's own columns;
 * the payload carries everything else needed to replay the step.
 */
#ifndef ESC_ACTION_CODEC_H
#define ESC_ACTION_CODEC_H

#include "json.h"
#include "lifecycle.h"

/* Encode step's arguments; *out is malloc'd.  ESC_OK or ESC_ENOMEM. */
int esc__payload_encode(char **out, const esc_step *step);

/* Decode a payload into step (kind, actor and at must already be set).
 * Strings in step point into *storage, which the caller frees with
 * esc__json_object_free() after it is done with step.  ESC_OK,
 * ESC_ECORRUPT (malformed or wrongly typed payload) or ESC_ENOMEM. */
int esc__payload_decode(esc_step *step, esc_json_object *storage, const char *payload,
                        size_t len);

#endif /* ESC_ACTION_CODEC_H */
