/*
 * tz.c — owns loading a time zone (tz.h): checking the zone name (it comes
 * from outside: a stored calendar, a command line), reading the TZif file
 * under ESC_TZ_DIR, and parsing it per RFC 8536 with every count, index
 * and offset checked against the bytes actually there, so that a damaged or
 * hostile file gives ESC_ECORRUPT and never a read out of bounds.
 */
#define _POSIX_C_SOURCE 200809L

#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escalate/common.h"

#define TZIF_HEADER_SIZE 44
/* Longest footer accepted; real ones are under 60 bytes. */
#define TZIF_FOOTER_MAX 255
/* Transition types are one byte, so more types could never be used. */
#define TZIF_TYPES_MAX 256

int esc__tz_name_valid(const char *name)
{
    size_t len;
    if (name == NULL || name[0] == '\0' || name[0] == '/')
        return 0;
    for (len = 0; name[len] != '\0'; len++) {
        char ch = name[len];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' || ch == '/';
        if (!ok || len >= ESC_TZ_NAME_MAX)
            return 0;
        if (ch == '/' && name[len + 1] == '/')
            return 0;
    }
    /* '.' is refused above already; ".." is named so that loosening the
     * character set can never open a way out of ESC_TZ_DIR. */
    return name[len - 1] != '/' && strstr(name, "..") == NULL;
}

/* ---- TZif parsing ------------------------------------------------------------- */

typedef struct reader {
    const unsigned char *data;
    size_t len;
    size_t pos;
} reader;

static int has(const reader *r, uint64_t n)
{
    return n <= r->len - r->pos;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_header {
    char version;   /* '\0' for version 1, else '2', '3', ... */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

static int read_header(reader *r, tzif_header *h)
{
    const unsigned char *p = r->data + r->pos;
    if (!has(r, TZIF_HEADER_SIZE) || memcmp(p, "TZif", 4) != 0)
        return ESC_ECORRUPT;
    h->version = (char)p[4];
    if (h->version != '\0' && (h->version < '2' || h->version > '9'))
        return ESC_ECORRUPT;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    r->pos += TZIF_HEADER_SIZE;
    return ESC_OK;
}

/* Bytes of the data block after a header, with time_size-byte times.  The
 * counts are 32-bit, so the sum fits easily in 64 bits. */
static uint64_t block_size(const tzif_header *h, unsigned time_size)
{
    return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

static int check_counts(const reader *r, const tzif_header *h, unsigned time_size)
{
    if (h->typecnt == 0 || h->typecnt > TZIF_TYPES_MAX || h->charcnt == 0 ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) || !has(r, block_size(h, time_size)))
        return ESC_ECORRUPT;
    /* Leap-second zones (right/...) count seconds differently from the
     * Unix time the library uses: not damaged, but not usable either. */
    if (h->leapcnt != 0)
        return ESC_EINVAL;
    return ESC_OK;
}

/* The data block after h (already checked to fit) into tz. */
static int read_block(reader *r, const tzif_header *h, unsigned time_size, esc_tz *tz)
{
    const unsigned char *times = r->data + r->pos;
    const unsigned char *indices = times + (size_t)h->timecnt * time_size;
    const unsigned char *types = indices + h->timecnt;
    const unsigned char *flags = types + (size_t)h->typecnt * 6 + h->charcnt;
    int32_t offsets[TZIF_TYPES_MAX];

    for (uint32_t i = 0; i < h->typecnt; i++) {
        const unsigned char *t = types + (size_t)i * 6;
        offsets[i] = (int32_t)be32(t);
        if (offsets[i] < ESC_TZ_OFFSET_MIN || offsets[i] > ESC_TZ_OFFSET_MAX || t[4] > 1 ||
            t[5] >= h->charcnt)
            return ESC_ECORRUPT;
    }
    for (uint32_t i = 0; i < h->isstdcnt + h->isutcnt; i++)
        if (flags[i] > 1)
            return ESC_ECORRUPT;

    if (h->timecnt) {
        tz->at = malloc((size_t)h->timecnt * sizeof *tz->at);
        tz->offset = malloc((size_t)h->timecnt * sizeof *tz->offset);
        if (tz->at == NULL || tz->offset == NULL)
            return ESC_ENOMEM;
    }
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const unsigned char *p = times + (size_t)i * time_size;
        int64_t at = time_size == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if ((i > 0 && at <= tz->at[i - 1]) || indices[i] >= h->typecnt)
            return ESC_ECORRUPT;
        tz->at[i] = at;
        tz->offset[i] = offsets[indices[i]];
    }
    tz->count = h->timecnt;
    tz->initial_offset = offsets[0];
    r->pos += (size_t)block_size(h, time_size);
    return ESC_OK;
}

/* The footer of a version 2+ file: "\n" TZ-string "\n".  An empty string
 * means the last transition's offset holds for ever. */
static int read_footer(reader *r, esc_tz *tz)
{
    const unsigned char *start, *nl;
    size_t avail;

    if (!has(r, 1) || r->data[r->pos] != '\n')
        return ESC_ECORRUPT;
    start = r->data + r->pos + 1;
    avail = r->len - r->pos - 1;
    nl = memchr(start, '\n', avail < TZIF_FOOTER_MAX + 1 ? avail : TZIF_FOOTER_MAX + 1);
    if (nl == NULL)
        return ESC_ECORRUPT;
    if (nl == start)
        return ESC_OK;
    tz->has_rule = 1;
    return esc__tz_rule_parse(&tz->rule, (const char *)start, (size_t)(nl - start));
}

static int parse_into(esc_tz *tz, const unsigned char *data, size_t len)
{
    reader r = { data, len, 0 };
    tzif_header h;
    int rc;

    if ((rc = read_header(&r, &h)) != ESC_OK)
        return rc;
    if (h.version == '\0') {
        /* Version 1: 32-bit times and no footer; the last offset stays. */
        if ((rc = check_counts(&r, &h, 4)) != ESC_OK)
            return rc;
        return read_block(&r, &h, 4, tz);
    }
    /* Version 2+: skip the 32-bit block (it only has to be there), then
     * the 64-bit one, which covers all of time, and the footer. */
    if (!has(&r, block_size(&h, 4)))
        return ESC_ECORRUPT;
    r.pos += (size_t)block_size(&h, 4);
    if ((rc = read_header(&r, &h)) != ESC_OK || h.version == '\0')
        return rc != ESC_OK ? rc : ESC_ECORRUPT;
    if ((rc = check_counts(&r, &h, 8)) != ESC_OK || (rc = read_block(&r, &h, 8, tz)) != ESC_OK)
        return rc;
    return read_footer(&r, tz);
}

void esc__tz_free(esc_tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->name);
    free(tz->at);
    free(tz->offset);
    free(tz);
}

int esc__tz_parse(esc_tz **out, const unsigned char *data, size_t len, const char *name)
{
    esc_tz *tz;
    int rc;

    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (data == NULL || name == NULL)
        return ESC_EINVAL;
    tz = calloc(1, sizeof *tz);
    if (tz == NULL || (tz->name = strdup(name)) == NULL) {
        esc__tz_free(tz);
        return ESC_ENOMEM;
    }
    if ((rc = parse_into(tz, data, len)) != ESC_OK) {
        esc__tz_free(tz);
        return rc;
    }
    *out = tz;
    return ESC_OK;
}

/* ---- files -------------------------------------------------------------------- */

/* The whole of a regular file of at most ESC_TZ_FILE_MAX bytes, in a new
 * buffer.  O_NONBLOCK keeps open() from waiting on a FIFO planted under a
 * zone's name; it does not affect regular files. */
static int read_file(const char *path, unsigned char **out, size_t *out_len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t len = 0, size = 0;
    int rc = ESC_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
                   ? ESC_ENOTFOUND : ESC_EIO;
    if (fstat(fd, &st) != 0)
        rc = ESC_EIO;
    else if (!S_ISREG(st.st_mode))
        rc = ESC_ENOTFOUND;   /* a directory such as "Europe" is no zone */
    else if (st.st_size > ESC_TZ_FILE_MAX)
        rc = ESC_ECORRUPT;
    else if ((buf = malloc((size = (size_t)st.st_size) + 1)) == NULL)
        rc = ESC_ENOMEM;
    /* One byte more than the size is asked for, to notice a file that
     * grows while it is read (tzdata updates replace files, never edit). */
    while (rc == ESC_OK && len <= size) {
        ssize_t n = read(fd, buf + len, size + 1 - len);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            rc = ESC_EIO;
        else if (n > 0)
            len += (size_t)n;
    }
    close(fd);
    if (rc == ESC_OK && len > size)
        rc = ESC_EIO;
    if (rc != ESC_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return ESC_OK;
}

static int load_path(esc_tz **out, const char *path, const char *name)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = read_file(path, &data, &len);
    if (rc == ESC_OK)
        rc = esc__tz_parse(out, data, len, name);
    free(data);
    return rc;
}

int esc__tz_load_file(esc_tz **out, const char *path)
{
    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (path == NULL || path[0] != '/')
        return ESC_EINVAL;
    return load_path(out, path, path);
}

int esc__tz_load(esc_tz **out, const char *name)
{
    char path[sizeof ESC_TZ_DIR + 1 + ESC_TZ_NAME_MAX + 1];

    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (!esc__tz_name_valid(name))
        return ESC_EINVAL;
    snprintf(path, sizeof path, "%s/%s", ESC_TZ_DIR, name);
    return load_path(out, path, name);
}
