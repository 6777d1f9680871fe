/*
 * tz.h — time zones from the system's tz database (internal).
 *
 * A zone is read from a TZif file (RFC 8536) under ESC_TZ_DIR: the 64-bit
 * data block of version 2+ files (the 32-bit block of version 1 files) and
 * the POSIX TZ rule in the footer, which gives the offsets after the last
 * transition in the file.  Nothing here reads or changes the process-wide
 * TZ, and nothing calls localtime(): a zone is a plain value, safe to share
 * between threads once loaded.
 *
 * Units: instants are int64 SECONDS since the Unix epoch, UTC (the TZif
 * unit; the calendar converts from the library's milliseconds); a "local"
 * time is the wall-clock reading counted the same way, i.e. UTC instant +
 * offset.  Offsets are seconds east of Greenwich.  Instants beyond
 * +-ESC_TZ_TIME_LIMIT are treated as that limit, which keeps all arithmetic
 * free of overflow.
 */
#ifndef ESC_TZ_H
#define ESC_TZ_H

#include <stddef.h>
#include <stdint.h>

#ifndef ESC_TZ_DIR
#  define ESC_TZ_DIR "/usr/share/zoneinfo"
#endif

/* Longest zone name accepted (real ones are under 40 bytes). */
#define ESC_TZ_NAME_MAX 255
/* Largest TZif file read (real ones are under 10 KiB). */
#define ESC_TZ_FILE_MAX (1 << 20)
/* Offsets RFC 8536 allows: more than -25 h, less than 26 h. */
#define ESC_TZ_OFFSET_MIN (-89999)
#define ESC_TZ_OFFSET_MAX 93599
/* About 35 million years either side of 1970. */
#define ESC_TZ_TIME_LIMIT (INT64_C(1) << 50)

/* A date of a POSIX TZ rule ("M3.5.0", "J60", "59"), with its time of day
 * in seconds (-167 h .. 167 h, the RFC 8536 extension; default 02:00). */
typedef enum esc_tz_date_kind {
    ESC_TZ_JULIAN_1,      /* Jn: day 1..365 of the year, 29 February never counted */
    ESC_TZ_JULIAN_0,      /* n: day 0..365 of the year, 29 February counted */
    ESC_TZ_MONTH_WEEK     /* Mm.w.d: weekday d of week w (5 = last) of month m */
} esc_tz_date_kind;

typedef struct esc_tz_rule_date {
    esc_tz_date_kind kind;
    int month;            /* M: 1..12 */
    int week;             /* M: 1..5 */
    int day;              /* M: weekday 0 (Sunday)..6; J: 1..365; n: 0..365 */
    int32_t time;         /* seconds after local midnight */
} esc_tz_rule_date;

/* A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
typedef struct esc_tz_rule {
    int32_t std_offset;   /* seconds east of UTC (the string says west) */
    int32_t dst_offset;
    int has_dst;          /* 0: std_offset all year round */
    esc_tz_rule_date start;  /* daylight time begins (in standard local time) */
    esc_tz_rule_date end;    /* daylight time ends (in daylight local time) */
} esc_tz_rule;

/* A loaded zone.  at[i] are the transitions, strictly ascending; offset[i]
 * holds from at[i] (until at[i+1], or while the rule does not take over). */
typedef struct esc_tz {
    char *name;
    size_t count;
    int64_t *at;
    int32_t *offset;
    int32_t initial_offset;  /* before the first transition (time type 0) */
    int has_rule;            /* after the last transition: rule, else offset[count-1] */
    esc_tz_rule rule;
} esc_tz;

/* A stretch of time with one offset: [start, end).  start may be INT64_MIN
 * and end INT64_MAX (no transition on that side). */
typedef struct esc_tz_segment {
    int64_t start;
    int64_t end;
    int32_t offset;
} esc_tz_segment;

/* How a local time skipped by a forward transition (the DST gap) is taken. */
typedef enum esc_tz_gap {
    /* Moved forward by the length of the gap, as RFC 5545 and most calendar
     * programs do: 02:30 on the night clocks go 02:00 -> 03:00 is 03:30. */
    ESC_TZ_GAP_SHIFT = 0,
    /* The instant the gap begins (03:00 above): the first instant whose
     * wall clock reads the given time or later.  Unlike SHIFT this never
     * puts a later wall time before an earlier one. */
    ESC_TZ_GAP_CLAMP = 1
} esc_tz_gap;

/* ---- loading (tz.c) --------------------------------------------------------- */

/* 1 when name may be looked up under ESC_TZ_DIR: 1..ESC_TZ_NAME_MAX bytes
 * of [A-Za-z0-9_+-/], no leading, trailing or doubled '/', no "..". */
int esc__tz_name_valid(const char *name);

/* Load the zone called name (e.g. "Europe/Berlin").
 * ESC_OK, ESC_EINVAL (bad name; a zone with leap-second records, the
 * right/ tree, whose clock is not the Unix time the library counts in),
 * ESC_ENOTFOUND (no such zone), ESC_ECORRUPT (not a well-formed TZif
 * file), ESC_EIO, ESC_ENOMEM.  *out is NULL on failure. */
int esc__tz_load(esc_tz **out, const char *name);

/* The same for a TZif file at an absolute path (a test hook: no name
 * check); the zone's name is the path. */
int esc__tz_load_file(esc_tz **out, const char *path);

/* The same from len bytes in memory (what the two above end with; the
 * entry point for fuzzing).  name is copied. */
int esc__tz_parse(esc_tz **out, const unsigned char *data, size_t len, const char *name);

void esc__tz_free(esc_tz *tz);

/* ---- the footer rule (tz_rule.c) ---------------------------------------------- */

/* Parse a POSIX TZ string of len bytes (no NUL needed): ESC_OK or
 * ESC_ECORRUPT.  Daylight time without a rule is refused: the default it
 * would take is implementation-defined. */
int esc__tz_rule_parse(esc_tz_rule *out, const char *text, size_t len);

/* The UTC instants at which daylight time starts and ends in year. */
void esc__tz_rule_transitions(const esc_tz_rule *rule, int64_t year, int64_t *start, int64_t *end);

/* The segment of the rule's timeline containing t. */
void esc__tz_rule_segment(const esc_tz_rule *rule, int64_t t, esc_tz_segment *out);

/* ---- questions (tz_lookup.c) --------------------------------------------------- */

/* The segment containing the instant t. */
void esc__tz_segment(const esc_tz *tz, int64_t t, esc_tz_segment *out);

/* The offset (seconds east of UTC) in effect at the instant t. */
int32_t esc__tz_offset(const esc_tz *tz, int64_t t);

/* The instant at which the wall clock first reads local.  In an overlap
 * (clocks turned back) that is the earlier of the two instants; in a gap
 * (clocks turned forward), see esc_tz_gap. */
int64_t esc__tz_local_to_utc(const esc_tz *tz, int64_t local, esc_tz_gap gap);

/* Wall time year-month-day hour:minute to the UTC instant (seconds), with
 * the SHIFT gap rule.  ESC_OK, or ESC_EINVAL for a date that does not
 * exist, hour outside 0..23, minute outside 0..59, or year outside
 * 1..9999. */
int esc__tz_civil_to_utc(const esc_tz *tz, int64_t *out, int64_t year, int month, int day,
                         int hour, int minute);

#endif /* ESC_TZ_H */
