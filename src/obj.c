/* obj.c: reference-counted heap objects with destructors. */
#include <stdlib.h>

#include "obj.h"

struct obj_hdr {
	obj_destructor_h	*dh;
	unsigned		 refs;
	/* keep the payload aligned for any type */
	max_align_t		 payload[];
};

static size_t obj_nlive;

static struct obj_hdr *
hdr_of(const void *obj)
{
	return (struct obj_hdr *)((char *)obj - offsetof(struct obj_hdr, payload));
}

void *
obj_alloc(size_t size, obj_destructor_h *dh)
{
	struct obj_hdr *h;

	h = calloc(1, sizeof(*h) + size);
	if (h == NULL)
		return NULL;
	h->dh = dh;
	h->refs = 1;
	obj_nlive++;
	return h->payload;
}

void *
obj_ref(void *obj)
{
	if (obj != NULL)
		hdr_of(obj)->refs++;
	return obj;
}

void *
obj_unref(void *obj)
{
	struct obj_hdr *h;

	if (obj == NULL)
		return NULL;
	h = hdr_of(obj);
	if (--h->refs > 0)
		return NULL;
	if (h->dh != NULL)
		h->dh(obj);
	obj_nlive--;
	free(h);
	return NULL;
}

unsigned
obj_refs(const void *obj)
{
	return obj != NULL ? hdr_of(obj)->refs : 0;
}

size_t
obj_live(void)
{
	return obj_nlive;
}
