/*
 * escalate/common.h — what every part of the public API shares: the export
 * macro, version numbers, status codes, time and text conventions.
 *
 * Conventions (the whole API follows them):
 *  - Every symbol starts with esc_ (functions, types) or ESC_ (macros, enums).
 *  - Functions return int: ESC_OK (0) or a negative ESC_E* code.  The message
 *    for the last failure on a database handle is esc_db_errmsg().
 *  - Output parameters come first and are named out.  What comes back through
 *    a `T **out` is owned by the caller and freed with T's own free function;
 *    `const char *` returned by a getter is lent and lives as long as the
 *    object it came from.
 *  - Times are int64 milliseconds since the Unix epoch, UTC.
 *  - Text is NUL-terminated UTF-8, validated on every way in; see the
 *    ESC_*_MAX limits below.
 */
#ifndef ESCALATE_COMMON_H
#define ESCALATE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exactly the public API is exported; everything else stays hidden.  SWIG
 * parses these headers too and rejects __attribute__, hence the guard. */
#if defined(SWIG)
#  define ESC_EXTERN(type) type
#elif defined(_WIN32) && defined(ESC_BUILDING_LIBRARY)
#  define ESC_EXTERN(type) __declspec(dllexport) type
#elif defined(__GNUC__)
#  define ESC_EXTERN(type) __attribute__((visibility("default"))) type
#else
#  define ESC_EXTERN(type) type
#endif

/** Compile-time version of the headers. */
#define ESC_VERSION_MAJOR 1
#define ESC_VERSION_MINOR 0
#define ESC_VERSION_PATCH 0
#define ESC_VERSION_STRING "1.0.0"
/** One number that orders releases: major * 10000 + minor * 100 + patch. */
#define ESC_VERSION_NUMBER \
    (ESC_VERSION_MAJOR * 10000 + ESC_VERSION_MINOR * 100 + ESC_VERSION_PATCH)

/** Status codes.  Each expected failure has its own code; the set only grows. */
typedef enum esc_status {
    ESC_OK = 0,
    ESC_EINVAL = -1,       /**< an argument is NULL, out of range, empty, too long or not UTF-8 */
    ESC_ENOTFOUND = -2,    /**< no escalation (or item) with that id or reference */
    ESC_ETRANSITION = -3,  /**< the action is not allowed in the escalation's current state */
    ESC_EGUARD = -4,       /**< the state allows the action but its condition is not met */
    ESC_ECONFLICT = -5,    /**< the escalation changed since it was read (stale version) */
    ESC_EBUSY = -6,        /**< the database stayed locked for longer than the busy timeout */
    ESC_ECORRUPT = -7,     /**< the database file (or a zone file it reads) is damaged */
    ESC_ENOTADB = -8,      /**< the file is not an escalate database */
    ESC_ESCHEMA = -9,      /**< the database was written by a newer libescalate */
    ESC_EIO = -10,         /**< an operating-system I/O error */
    ESC_EREADONLY = -11,   /**< the database (or its handle) is read-only */
    ESC_ENOMEM = -12,      /**< out of memory */
    ESC_EFULL = -13,       /**< the disk (or the database size limit) is full */
    ESC_EAUTHORITY = -14,  /**< the acting person's tier is too low for this action */
    ESC_EEXISTS = -15,     /**< the external reference is already used by another escalation */
    ESC_EINTERNAL = -16,   /**< a bug in libescalate: please report it */
    ESC_ECALLBACK = -17    /**< a host callback (the clock) reported a failure */
} esc_status;

/** Smallest status code; every code is in [ESC_STATUS_MIN, 0]. */
#define ESC_STATUS_MIN ESC_ECALLBACK

/** Text limits, in bytes of UTF-8 (the terminating NUL not counted). */
#define ESC_SHORT_TEXT_MAX 256     /**< ids, names, references, categories, tags, emotions */
#define ESC_LONG_TEXT_MAX 65536    /**< notes, statements, steps, updates, reasons, briefs */

/**
 * The static name of a status code, e.g. "ESC_ENOTFOUND"; "ESC_UNKNOWN" for a
 * number that is not a code.  Never NULL.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_status_name(int status);

/**
 * A short static English description of a status code.  Never NULL.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_status_string(int status);

/**
 * The run-time version of the library, as ESC_VERSION_NUMBER would give it.
 * Compare with ESC_VERSION_NUMBER to detect a header/library mismatch.
 * @since 1.0
 */
ESC_EXTERN(int) esc_version_number(void);

/**
 * The run-time version as a static string, e.g. "1.0.0".
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_COMMON_H */
