/*
 * escalate/db.h — the database handle: opening and creating a store,
 * per-handle configuration (clock, priority matrix, tier ladder), errors,
 * and batching several steps into one commit.
 *
 * Thread safety: an esc_db handle is NOT internally locked.  Use one handle
 * per thread (or serialise all use of a handle yourself; a handle may move
 * between threads).  Any number of handles, in any number of threads and
 * processes, may share one database file: every change is a transaction, and
 * optimistic versioning (ESC_ECONFLICT) makes sure no update is ever lost.
 * Objects obtained from a handle (escalations, lists, events, reports) are
 * plain values: they may be read from any thread and outlive the handle.
 */
#ifndef ESCALATE_DB_H
#define ESCALATE_DB_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A connection to one escalate database.  Opaque. */
typedef struct esc_db esc_db;

/**
 * The clock a handle reads "now" from: ms since the epoch, UTC.  A negative
 * return value means the clock failed (a binding's callback raised, say):
 * the call that needed the time then fails with ESC_ECALLBACK and changes
 * nothing.  So does an instant after ESC_CALENDAR_TIME_MAX (year 9999).
 */
typedef int64_t (*esc_clock_fn)(void *payload);

/** esc_db_options.flags */
#define ESC_OPEN_READWRITE 0x0  /**< default: read and write an existing database */
#define ESC_OPEN_CREATE    0x1  /**< create the file (and schema) when missing */
#define ESC_OPEN_READONLY  0x2  /**< never write; every change returns ESC_EREADONLY */

/** esc_db_options.journal: how a commit is made atomic. */
#define ESC_JOURNAL_WAL      0  /**< default: a write-ahead log; readers go on while one writer commits */
#define ESC_JOURNAL_ROLLBACK 1  /**< a rollback journal; a writer excludes readers while it commits */

/** esc_db_options.sync: how much a commit waits for the disk. */
#define ESC_SYNC_NORMAL 0  /**< default: survives any crash of the process; with WAL, a power
                                loss may undo the last commits (never corrupt the file) */
#define ESC_SYNC_FULL   1  /**< every commit is on the disk before the call returns */

/** Highest number of tiers a ladder may have. */
#define ESC_TIER_MAX 16

/**
 * Options for esc_db_open().  Initialise with ESC_DB_OPTIONS_INIT or
 * esc_db_options_init(); new fields are only ever added at the end, and the
 * version field tells the library which ones the caller knows.
 */
typedef struct esc_db_options {
    unsigned int version;      /**< ESC_DB_OPTIONS_VERSION */
    unsigned int flags;        /**< ESC_OPEN_* */
    int busy_timeout_ms;       /**< wait this long for a lock before ESC_EBUSY; default 5000 */
    unsigned int file_mode;    /**< permission bits of a created file; 0 means 0600 */
    esc_clock_fn clock;        /**< NULL: the system clock */
    void *clock_payload;       /**< passed to clock */
    int follow_up_attempts;    /**< agreed follow-up attempts before an unconfirmed resolution; 0 means 3 */
    int journal;               /**< ESC_JOURNAL_* (a writable handle sets it for the file) */
    int sync;                  /**< ESC_SYNC_* (for this handle's commits) */
} esc_db_options;

#define ESC_DB_OPTIONS_VERSION 1
#define ESC_DB_OPTIONS_INIT \
    { ESC_DB_OPTIONS_VERSION, 0, 5000, 0, NULL, NULL, 0, ESC_JOURNAL_WAL, ESC_SYNC_NORMAL }

/**
 * Initialise opts to the defaults (same as ESC_DB_OPTIONS_INIT).
 * @return ESC_OK, or ESC_EINVAL if opts is NULL or version is unknown.
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_options_init(esc_db_options *opts, unsigned int version);

/**
 * Open (or with ESC_OPEN_CREATE, create) the escalate database at path.
 *
 * Like sqlite3_open_v2(), *out receives a handle even when opening fails
 * (unless memory ran out): read the reason with esc_db_errmsg(*out) and
 * release it with esc_db_close().  An older schema is migrated forward in one
 * transaction; a newer one gives ESC_ESCHEMA and the file is left untouched.
 *
 * @param out   receives the handle
 * @param path  file name (UTF-8); ":memory:" for a private in-memory store
 * @param opts  NULL for the defaults
 * @return ESC_OK, ESC_EINVAL, ESC_ENOTFOUND (no file and no ESC_OPEN_CREATE),
 *         ESC_ENOTADB, ESC_ECORRUPT, ESC_ESCHEMA, ESC_EREADONLY, ESC_EIO,
 *         ESC_EBUSY, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_open(esc_db **out, const char *path, const esc_db_options *opts);

/**
 * Close the handle and free it.  Rolls back an unfinished batch.
 * NULL is accepted and does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_db_close(esc_db *db);

/**
 * The message describing the last failure on this handle ("" after a
 * success).  Lent: valid until the next call on the handle.  Never NULL;
 * for a NULL handle, a static message.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_db_errmsg(const esc_db *db);

/**
 * The status code of the last call on this handle (ESC_OK after a success).
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_errcode(const esc_db *db);

/**
 * Replace this handle's clock (NULL: the system clock).  The clock given in
 * esc_db_options is the same thing, set at open.
 * @return ESC_OK or ESC_EINVAL (NULL db)
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_clock(esc_db *db, esc_clock_fn clock, void *payload);

/**
 * "Now" as this handle's clock tells it (negative when the clock failed).
 * @since 1.0
 */
ESC_EXTERN(int64_t) esc_db_now(const esc_db *db);

/**
 * The schema version of the open database.
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_schema_version(const esc_db *db);

/** Number of cells in a priority matrix: impact 1..4 × urgency 1..4. */
#define ESC_PRIORITY_MATRIX_CELLS 16

/**
 * Replace this handle's priority matrix.  matrix[(impact-1)*4 + (urgency-1)]
 * is the priority (1 highest .. 5 lowest) for that impact and urgency.
 * NULL restores the default matrix.  Affects escalations opened or
 * reassessed afterwards through this handle.
 * @return ESC_OK or ESC_EINVAL (a cell outside 1..5)
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_priority_matrix(esc_db *db, const int *matrix);

/**
 * Name this handle's tier ladder: names[0] is tier 1 (the lowest).  count is
 * 1..ESC_TIER_MAX; NULL names restores the default ladder (frontline,
 * supervisor, specialist, leadership).  Names are copied.
 * @return ESC_OK or ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_set_tiers(esc_db *db, const char *const *names, int count);

/**
 * Number of tiers on this handle's ladder.
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_tier_count(const esc_db *db);

/**
 * The name of a tier (1-based), lent; NULL when out of range.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_db_tier_name(const esc_db *db, int tier);

/**
 * Start a batch: every step until esc_db_batch_commit() is committed (and
 * synced) once.  Each step inside a batch is still all-or-nothing: a refused
 * or failed step leaves the batch as it was — except when the database
 * itself abandons the transaction (a full disk or an I/O error): then the
 * whole batch is lost, the step returns that error, and the handle has no
 * batch open any more.  Other handles see nothing of
 * the batch until it commits.  Batches do not nest.
 * @return ESC_OK, ESC_EINVAL (already in a batch), ESC_EBUSY, ESC_EREADONLY
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_batch_begin(esc_db *db);

/**
 * Commit the open batch.  If the commit fails, the whole batch is rolled
 * back (never half kept) and the handle has no batch open any more.
 * @return ESC_OK, ESC_EINVAL (no batch), ESC_EBUSY, ESC_EFULL, ESC_EIO
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_batch_commit(esc_db *db);

/**
 * Throw the open batch away.
 * @return ESC_OK or ESC_EINVAL (no batch)
 * @since 1.0
 */
ESC_EXTERN(int) esc_db_batch_rollback(esc_db *db);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_DB_H */
