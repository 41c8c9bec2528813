/* import_int.h: helpers shared by the parser and the mapper of sbc-import (not a public API). */
#ifndef SBCD_IMPORT_INT_H
#define SBCD_IMPORT_INT_H

#include <stddef.h>

#include "import.h"

/* Make room for one more element of size sz after the n of arr; the new
 * element is zeroed.  Returns the new array, or NULL (arr is untouched). */
void *imp_grow(void *arr, size_t n, size_t sz);
/* The index of column col in t's FORMAT (case-insensitive), or -1. */
long imp_col_index(const struct imp_table *t, const char *col);

#endif
