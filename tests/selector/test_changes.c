/*
 * test_changes.c: the change list itself (selector/changes.c): status
 * names, and the set of names selection matches, renames under both.
 * Merging with the working copy is tested in test_worktree.c.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "selector/selector.h"

static void add(struct sl_change_list *list, enum sl_change_status status,
		const char *path, const char *old_path)
{
	struct sl_change *c;

	SL_ALLOC_GROW(list->items, list->n + 1, list->alloc);
	c = &list->items[list->n++];
	memset(c, 0, sizeof(*c));
	c->status = status;
	c->path = sl_xstrdup(path);
	c->len = strlen(path);
	if (old_path) {
		c->old_path = sl_xstrdup(old_path);
		c->old_len = strlen(old_path);
	}
}

static void changes__status_names_and_letters(void **state)
{
	(void)state;
	assert_string_equal(sl_change_status_name(SL_CHANGE_ADDED), "added");
	assert_string_equal(sl_change_status_name(SL_CHANGE_DELETED),
			    "deleted");
	assert_string_equal(sl_change_status_name(SL_CHANGE_MODIFIED),
			    "modified");
	assert_string_equal(sl_change_status_name(SL_CHANGE_TYPECHANGE),
			    "typechange");
	assert_string_equal(sl_change_status_name(SL_CHANGE_RENAMED),
			    "renamed");
	assert_int_equal(sl_change_status_letter(SL_CHANGE_ADDED), 'A');
	assert_int_equal(sl_change_status_letter(SL_CHANGE_DELETED), 'D');
	assert_int_equal(sl_change_status_letter(SL_CHANGE_MODIFIED), 'M');
	assert_int_equal(sl_change_status_letter(SL_CHANGE_TYPECHANGE), 'T');
	assert_int_equal(sl_change_status_letter(SL_CHANGE_RENAMED), 'R');
}

static void changes__names_count_renames_under_both_names(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_change_name *names;
	size_t n;

	(void)state;
	add(&list, SL_CHANGE_DELETED, "b/gone", NULL);
	add(&list, SL_CHANGE_RENAMED, "c/new", "z/old");
	add(&list, SL_CHANGE_MODIFIED, "d", NULL);
	n = sl_change_list_names(&names, &list);
	assert_int_equal(n, 4);
	assert_string_equal(names[0].path, "b/gone");
	assert_ptr_equal(names[0].change, &list.items[0]);
	assert_string_equal(names[1].path, "c/new");
	assert_false(names[1].is_old_name);
	assert_string_equal(names[2].path, "d");
	assert_string_equal(names[3].path, "z/old");
	assert_true(names[3].is_old_name);
	assert_ptr_equal(names[3].change, &list.items[1]);
	assert_int_equal(names[3].len, 5);
	free(names);
	sl_change_list_release(&list);
	assert_null(list.items);
	assert_int_equal(list.n, 0);
}

/* A rename's old name that is also a path of its own is listed once. */
static void changes__names_are_unique(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_change_name *names;
	size_t n;

	(void)state;
	add(&list, SL_CHANGE_ADDED, "a", NULL);
	add(&list, SL_CHANGE_RENAMED, "b", "a");
	n = sl_change_list_names(&names, &list);
	assert_int_equal(n, 2);
	assert_string_equal(names[0].path, "a");
	assert_false(names[0].is_old_name);
	assert_string_equal(names[1].path, "b");
	free(names);
	sl_change_list_release(&list);
}

static void changes__empty_list_has_no_names(void **state)
{
	struct sl_change_list list = SL_CHANGE_LIST_INIT;
	struct sl_change_name *names = NULL;

	(void)state;
	assert_int_equal(sl_change_list_names(&names, &list), 0);
	assert_non_null(names);
	free(names);
	sl_change_list_release(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(changes__status_names_and_letters),
	    cmocka_unit_test(changes__names_count_renames_under_both_names),
	    cmocka_unit_test(changes__names_are_unique),
	    cmocka_unit_test(changes__empty_list_has_no_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
