/*
 * schema_sqlite.h — the SQLite schema: how a file is recognised as an
 * escalate database and how it is migrated forward, one version at a time.
 */
#ifndef ESC_SCHEMA_SQLITE_H
#define ESC_SCHEMA_SQLITE_H

#include <sqlite3.h>

#include "internal.h"

/* 'ESCA': written into the SQLite header so other tools can tell the file. */
#define ESC_SQLITE_APPLICATION_ID 0x45534341

/* The schema version this library writes. */
#define ESC_SCHEMA_VERSION 4

/* Recognise the file and migrate it to ESC_SCHEMA_VERSION (or, when target
 * is lower, stop there: tests build old databases that way).  A new empty
 * file is created from scratch.  *out_version receives the version found
 * after the call.  Reports through esc__error on db. */
int esc__sqlite_schema_prepare(esc_db *db, sqlite3 *sqlite, int readonly, int target,
                               int *out_version);

/* Map an SQLite result code to an ESC_E* code and record the message. */
int esc__sqlite_error(esc_db *db, sqlite3 *sqlite, int rc, const char *doing);

#endif /* ESC_SCHEMA_SQLITE_H */
