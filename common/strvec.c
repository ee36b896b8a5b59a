/*
 * strvec.c: struct sl_strvec, an owned, NULL-terminated vector of strings
 * (after git's strvec), ready to be an argv or an envp.
 */
#include "common/common.h"

const char *sl_strvec_empty[] = {NULL};

void sl_strvec_push_take(struct sl_strvec *sv, char *s)
{
	if (sv->v == (char **)sl_strvec_empty)
		sv->v = NULL;
	SL_ALLOC_GROW(sv->v, sv->n + 2, sv->alloc);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void sl_strvec_push(struct sl_strvec *sv, const char *s)
{
	sl_strvec_push_take(sv, sl_xstrdup(s));
}

void sl_strvec_pushf(struct sl_strvec *sv, const char *fmt, ...)
{
	struct sl_buf sb = SL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sl_buf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sl_strvec_push_take(sv, sl_buf_detach(&sb, NULL));
}

void sl_strvec_release(struct sl_strvec *sv)
{
	size_t i;

	if (sv->v != (char **)sl_strvec_empty) {
		for (i = 0; i < sv->n; i++)
			free(sv->v[i]);
		free(sv->v);
	}
	sv->v = (char **)sl_strvec_empty;
	sv->n = 0;
	sv->alloc = 0;
}

bool sl_strvec_has(const struct sl_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}
