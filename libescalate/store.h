/*
 * store.h — the storage interface: everything the lifecycle needs from a
 * database, and nothing about how a particular database does it.  SQLite
 * (store_sqlite.c) is the embedded default; another backend (PostgreSQL) is
 * a second esc_store_ops with the same contract.
 *
 * Contract: every function reports failures through esc__error() on the
 * store's owning handle and returns the ESC_E* code.  Writes happen only
 * between step_begin and step_commit; a failed step is rolled back whole.
 */
#ifndef ESC_STORE_H
#define ESC_STORE_H

#include "internal.h"

/* Hex SHA-256 and its NUL. */
#define ESC_EVENT_HASH_SIZE 65

/* One event row: the public esc_event is this struct. */
struct esc_event {
    char escalation_id[37];
    int64_t seq;
    int64_t at;
    esc_action_kind action;
    char *actor_id;
    char *actor_name;
    int actor_tier;
    esc_state from_state;
    esc_state to_state;
    char *payload;
    char hash[ESC_EVENT_HASH_SIZE];  /* chained to the previous event's ("" before schema 4) */
};

struct esc_event_list {
    struct esc_event *events;
    size_t count;
    size_t capacity;
};

struct esc_escalation_list {
    esc_escalation **rows;
    size_t count;
    size_t capacity;
};

/* A stored calendar or policy version: the public esc_definition. */
typedef enum esc_definition_kind { ESC_DEFINITION_CALENDAR, ESC_DEFINITION_POLICY } esc_definition_kind;

struct esc_definition {
    char *name;
    int64_t version;
    char *spec;
    char *calendar;     /* policies: the stored calendar it counts in, or NULL */
    int64_t created_at;
};

/* One outbox entry: the public esc_outbox_entry. */
struct esc_outbox_entry {
    int64_t id;
    char escalation_id[37];
    int64_t seq;
    char *kind;
    int64_t due_at;
    int64_t fired_at;
    char *payload;
};

struct esc_outbox_list {
    struct esc_outbox_entry *entries;
    size_t count;
    size_t capacity;
};

void esc__definition_clear(struct esc_definition *def);
void esc__outbox_list_clear(struct esc_outbox_list *list);
int esc__outbox_list_push(struct esc_outbox_list *list, struct esc_outbox_entry **out);

void esc__event_clear(struct esc_event *event);
void esc__event_list_clear(struct esc_event_list *list);
int esc__event_list_push(struct esc_event_list *list, struct esc_event **out);
int esc__escalation_list_push(struct esc_escalation_list *list, esc_escalation *esc);

typedef struct esc_store esc_store;

/* Whose eyes a list is for: confidential rows they may not see are left
 * out.  NULL: the host's own handle, which sees everything. */
typedef struct esc_access {
    const char *id;
    int tier;
    int confidential_tier;
} esc_access;

/* The access of db's viewer, filled into *storage; NULL without a viewer. */
const esc_access *esc__access_of(const esc_db *db, esc_access *storage);

/* Called once per escalation id by each_escalation(); a non-zero return stops the walk. */
typedef int (*esc_store_id_fn)(const char *id, void *payload);

/* Where a row stands in the order of due timers. */
typedef struct esc_due_key {
    int64_t at;
    char id[37];
} esc_due_key;

typedef struct esc_store_ops {
    const char *name;
    /* Open or create the store at path and bring its schema up to date. */
    int (*open)(esc_store **out, esc_db *owner, const char *path, const esc_db_options *options);
    void (*close)(esc_store *store);
    int (*is_readonly)(const esc_store *store);
    int (*schema_version)(const esc_store *store);

    /* Transactions: a batch holds many steps; a step is atomic on its own,
     * inside a batch or not. */
    int (*in_batch)(const esc_store *store);
    int (*batch_begin)(esc_store *store);
    int (*batch_commit)(esc_store *store);
    int (*batch_rollback)(esc_store *store);
    /* A consistent view for several reads: begins a read transaction
     * unless one is open already (*started says which); read_end closes
     * what read_begin started. */
    int (*read_begin)(esc_store *store, int *started);
    void (*read_end)(esc_store *store, int started);
    int (*step_begin)(esc_store *store);
    int (*step_commit)(esc_store *store);
    void (*step_rollback)(esc_store *store);

    /* Current rows. */
    int (*load)(esc_store *store, esc_escalation *out, const char *id);
    int (*load_by_ref)(esc_store *store, esc_escalation *out, const char *external_ref);
    int (*insert)(esc_store *store, const esc_escalation *esc);
    /* Write esc (its dirty items only) if the stored version and write
     * token are still the expected ones; ESC_ECONFLICT otherwise. */
    int (*update)(esc_store *store, const esc_escalation *esc, int64_t expected_version,
                  int64_t expected_token);
    /* Overwrite the current row and all items of esc (rebuild). */
    int (*replace)(esc_store *store, const esc_escalation *esc);
    int (*list)(esc_store *store, struct esc_escalation_list *out, const esc_filter *filter,
                const esc_access *access);
    int (*each_escalation)(esc_store *store, esc_store_id_fn fn, void *payload);

    /* Events. */
    int (*append_event)(esc_store *store, const struct esc_event *event);
    int (*history)(esc_store *store, struct esc_event_list *out, const char *id);

    /* Timers.  set_timers writes only the derived timer columns of a row
     * the caller has just read inside its own write transaction. */
    int (*set_timers)(esc_store *store, const esc_escalation *esc);
    /* Open rows (and items) whose next timer is in (0, before], earliest first. */
    int (*list_due)(esc_store *store, struct esc_escalation_list *out, int64_t before,
                    size_t limit, const esc_access *access);
    /* Keys of rows due in (0, before] after the key after (NULL: from the
     * start), in key order, at most max of them: a sweep pages with this. */
    int (*due_page)(esc_store *store, int64_t before, const esc_due_key *after,
                    esc_due_key *out, size_t max, size_t *count);
    /* Open rows counting under a policy, or under any policy that uses a
     * stored calendar. */
    int (*each_open_with_policy)(esc_store *store, const char *policy, esc_store_id_fn fn,
                                 void *payload);
    int (*each_open_with_calendar)(esc_store *store, const char *calendar, esc_store_id_fn fn,
                                   void *payload);

    /* Stored definitions: version 0 reads the latest; put stores
     * def->version, which must be the next one (ESC_ECONFLICT if taken). */
    int (*definition_get)(esc_store *store, esc_definition_kind kind, const char *name,
                          int64_t version, struct esc_definition *out);
    int (*definition_put)(esc_store *store, esc_definition_kind kind,
                          const struct esc_definition *def);

    /* The outbox. */
    int (*outbox_add)(esc_store *store, const struct esc_outbox_entry *entry);
    int (*outbox_fetch)(esc_store *store, struct esc_outbox_list *out, size_t limit);
    int (*outbox_ack)(esc_store *store, int64_t id, int64_t now);
} esc_store_ops;

extern const esc_store_ops esc__sqlite_store;

#endif /* ESC_STORE_H */
