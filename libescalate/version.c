/*
 * version.c — the run-time version, so a host can detect that it was
 * compiled against other headers than the library it runs with.
 */
#include "internal.h"

ESC_EXTERN(int) esc_version_number(void)
{
    return ESC_VERSION_NUMBER;
}

ESC_EXTERN(const char *) esc_version_string(void)
{
    return ESC_VERSION_STRING;
}
