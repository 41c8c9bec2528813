/* obj.h: reference-counted heap objects with destructors (libre mem_* style). */
#ifndef SBCD_OBJ_H
#define SBCD_OBJ_H

#include <stddef.h>

typedef void (obj_destructor_h)(void *obj);

/* Allocate a zeroed object with one reference; NULL on ENOMEM. */
void *obj_alloc(size_t size, obj_destructor_h *dh);
/* Take a reference; NULL-safe.  Returns obj. */
void *obj_ref(void *obj);
/* Drop a reference, destroying the object at zero; NULL-safe.  Returns NULL. */
void *obj_unref(void *obj);
/* Number of references held (tests and diagnostics only). */
unsigned obj_refs(const void *obj);
/* Live objects in this process (leak checks in tests). */
size_t obj_live(void);

#endif
