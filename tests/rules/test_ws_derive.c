/*
 * test_ws_derive.c: `workspaces` in the rules file (rules/ws_rules.c)
 * and the lanes they derive (rules/ws_derive.c; SPEC.md §7): templates
 * filled in per package, derived consumes, a written lane refining a
 * derived one, ownership with written lanes carving paths out, and every
 * refusal at its file:line:col.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rules/rules.h"
#include "tests/support/sandbox.h"
#include "tests/rules/ws_fixture.h"

static const char *const files[] = {
    "package.json",
    "{\"workspaces\": [\"packages/*\"]}",
    "packages/api/package.json",
    "{\"name\": \"@acme/api\", \"dependencies\": {\"@acme/log\": \"*\"}}",
    "packages/log/package.json",
    "{\"name\": \"@acme/log\"}",
    "packages/web/package.json",
    "{\"name\": \"@acme/web\", \"devDependencies\": {\"@acme/api\": \"*\"}}",
    "other/package.json",
    "{\"workspaces\": [\"pkgs/*\"]}",
    "other/pkgs/log/package.json",
    "{\"name\": \"log\"}",
    "other/pkgs/cli/package.json",
    "{\"name\": \"cli\"}",
    "third/package.json",
    "{\"workspaces\": [\"*\"]}",
    "third/a/package.json",
    "{\"name\": \"t-a\", \"dependencies\": {\"t-b\": \"*\"}}",
    "third/b/package.json",
    "{\"name\": \"t-b\", \"dependencies\": {\"t-a\": \"*\"}}",
    NULL,
    NULL};

static struct sl_rules *load(const char *yaml, struct sl_error *err)
{
	struct sl_rules *rules = NULL;

	if (sl_rules_load_buffer(&rules, "sluice.yml", yaml, strlen(yaml), err))
		return NULL;
	return rules;
}

/* Loads yaml, derives its workspaces from files; the error or 0. */
static int derive(struct sl_rules **out, const char *yaml, struct sl_error *err)
{
	struct sl_ws_source src = mem_source(files);
	struct sl_rules *rules = load(yaml, err);
	struct sl_ws *ws[4] = {NULL};
	size_t i;
	int ret = 0;

	*out = NULL;
	if (!rules)
		return err->status;
	assert_in_range(rules->nworkspaces, 1, 4);
	for (i = 0; i < rules->nworkspaces && !ret; i++)
		ret = sl_ws_derive(&ws[i], rules->workspaces[i].kind,
				   rules->workspaces[i].root, &src, err);
	if (!ret)
		ret = sl_rules_derive(rules, ws, err);
	/* The second time does nothing. */
	if (!ret)
		assert_int_equal(sl_rules_derive(rules, ws, err), 0);
	for (i = 0; i < rules->nworkspaces; i++)
		sl_ws_free(ws[i]);
	if (ret)
		sl_rules_free(rules);
	else
		*out = rules;
	return ret;
}

/* Each lane as "name[first owner] patterns... >consumed...", a line each. */
static void describe_lanes(struct sl_buf *sb, const struct sl_rules *r)
{
	size_t i, j;

	for (i = 0; i < r->nlanes; i++) {
		const struct sl_lane *l = &r->lanes[i];

		sl_buf_addf(sb, "%s[%s]", l->name,
			    l->owners.n ? l->owners.v[0] : "");
		for (j = 0; j < l->nrules; j++)
			sl_buf_addf(sb, " %s",
				    r->rules.items[l->first_rule + j].text);
		for (j = 0; j < l->nconsumes; j++)
			sl_buf_addf(sb, " %s%s", j < l->nderived ? ">" : "+",
				    r->lanes[l->consumes[j]].name);
		sl_buf_addch(sb, '\n');
	}
}

static const char *owner_lane(const struct sl_rules *r, const char *path)
{
	const struct sl_rule *rule = NULL;

	assert_int_equal(sl_rules_owner(&rule, r, path, strlen(path), 0, NULL),
			 0);
	return rule ? r->lanes[rule->lane].name : "(none)";
}

static void derive__lanes_gates_and_consumes(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "workspaces:\n"
	    "  - kind: npm\n"
	    "    owners: ['@js']\n"
	    "    gates:\n"
	    "      '{lane}-unit':\n"
	    "        run: npm test -w {path}\n"
	    "        env: {PKG: '{name}'}\n"
	    "        inputs: ['/karma.conf.js']\n"
	    "    smoke:\n"
	    "      '{lane}-smoke': {run: [npm, run, smoke, -w, '{path}']}\n"
	    "lanes:\n"
	    "  api:\n"
	    "    owners: ['@api']\n"
	    "    paths: ['openapi/']\n"
	    "    gates:\n"
	    "      api-contract: {run: make contract}\n"
	    "  docs:\n"
	    "    paths: ['*.md']\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;
	struct sl_buf sb = SL_BUF_INIT;
	const struct sl_gate *g;
	size_t i;

	(void)state;
	if (derive(&r, yaml, &err))
		fail_msg("%s", sl_error_message(&err));
	describe_lanes(&sb, r);
	/* Unrefined derived lanes first; api keeps its place and owners. */
	assert_string_equal(sb.buf, "log[@js] /packages/log/\n"
				    "web[@js] /packages/web/ >api\n"
				    "api[@api] /packages/api/ openapi/ >log\n"
				    "docs[] *.md\n");
	sl_buf_reset(&sb);
	for (i = 0; i < r->ngates; i++)
		sl_buf_addf(&sb, "%s:%s:%s ", r->gates[i].name,
			    sl_gate_kind_name(r->gates[i].kind),
			    r->lanes[r->gates[i].lane].name);
	assert_string_equal(sb.buf, "log-unit:local:log log-smoke:smoke:log "
				    "web-unit:local:web web-smoke:smoke:web "
				    "api-contract:local:api api-unit:local:api "
				    "api-smoke:smoke:api ");
	g = sl_rules_gate(r, "web-unit");
	assert_string_equal(g->shell, "npm test -w packages/web");
	assert_string_equal(g->env[0].value, "@acme/web");
	assert_int_equal(g->pos.line, 6);
	/* Each derived gate gets the template's inputs, compiled. */
	assert_int_equal(g->inputs.n, 1);
	assert_string_equal(g->inputs.items[0].text, "/karma.conf.js");
	assert_int_equal(sl_pattern_match(g->inputs.items[0].pattern,
					  "karma.conf.js", 13, 0, NULL),
			 1);
	g = sl_rules_gate(r, "log-smoke");
	assert_string_equal(g->argv.v[4], "packages/log");
	assert_string_equal(owner_lane(r, "packages/web/src/a.js"), "web");
	assert_string_equal(owner_lane(r, "openapi/v1.yaml"), "api");
	assert_string_equal(owner_lane(r, "packages/web/README.md"), "docs");
	assert_string_equal(owner_lane(r, "package.json"), "(none)");
	sl_buf_release(&sb);
	sl_rules_free(r);
	sl_error_release(&err);
}

/*
 * A written lane may consume a derived one (an end-to-end lane over the
 * packages), and a refining lane's written consumes add to the derived
 * ones, each lane once; a refining lane without owners takes the
 * workspace's.
 */
static void derive__written_consumes_meet_derived(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "lanes:\n"
				   "  e2e:\n"
				   "    paths: ['e2e/']\n"
				   "    consumes: [web, docs, log]\n"
				   "  api:\n"
				   "    consumes: [docs, log]\n"
				   "  docs:\n"
				   "    paths: ['*.md']\n"
				   "workspaces:\n"
				   "  - kind: npm\n"
				   "    owners: ['@js']\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	if (derive(&r, yaml, &err))
		fail_msg("%s", sl_error_message(&err));
	describe_lanes(&sb, r);
	assert_string_equal(sb.buf, "log[@js] /packages/log/\n"
				    "web[@js] /packages/web/ >api\n"
				    "e2e[] e2e/ +web +docs +log\n"
				    "api[@js] /packages/api/ >log +docs\n"
				    "docs[] *.md\n");
	sl_buf_release(&sb);
	sl_rules_free(r);
	sl_error_release(&err);
}

/*
 * A refining lane's `inputs` go to the derived lane it refines, and to
 * it alone (a template's inputs would go to every package); they own
 * nothing: the file stays unowned.
 */
static void derive__refining_lane_inputs(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "workspaces:\n"
				   "  - kind: npm\n"
				   "    gates:\n"
				   "      '{lane}-unit': {run: x}\n"
				   "lanes:\n"
				   "  web:\n"
				   "    inputs: [/karma.conf.js, /test.env]\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;
	const struct sl_lane *web;
	size_t i;

	(void)state;
	if (derive(&r, yaml, &err))
		fail_msg("%s", sl_error_message(&err));
	web = sl_rules_lane(r, "web");
	assert_non_null(web);
	assert_int_equal(web->inputs.n, 2);
	assert_string_equal(web->inputs.items[1].text, "/test.env");
	assert_int_equal(web->inputs.items[1].pos.line, 8);
	assert_int_equal(web->inputs.items[1].pos.col, 30);
	assert_int_equal(sl_pattern_match(web->inputs.items[0].pattern,
					  "karma.conf.js", 13, 0, NULL),
			 1);
	for (i = 0; i < r->nlanes; i++)
		if (&r->lanes[i] != web)
			assert_int_equal(r->lanes[i].inputs.n, 0);
	assert_string_equal(owner_lane(r, "karma.conf.js"), "(none)");
	assert_string_equal(owner_lane(r, "packages/web/a.js"), "web");
	sl_rules_free(r);
	sl_error_release(&err);
}

/* Two workspaces, each a lane per package; names apart stay apart. */
static void derive__two_workspaces(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "workspaces:\n"
				   "  - kind: npm\n"
				   "  - kind: npm\n"
				   "    root: other\n"
				   "lanes:\n"
				   "  log:\n"
				   "    owners: ['@log']\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;

	(void)state;
	/* 'log' is a package of both: a lane name two workspaces derive. */
	assert_int_equal(derive(&r, yaml, &err), SL_ERULES);
	assert_string_equal(
	    sl_error_message(&err),
	    "sluice.yml:4:5: this workspace derives a lane 'log' for "
	    "'other/pkgs/log/package.json', as the workspace at line 3 does "
	    "for 'packages/log/package.json'; write a lane of another name "
	    "for one of them, or give the packages names apart");
	sl_error_release(&err);
}

/* The second workspace's edges are its own packages' lanes. */
static void derive__second_workspace_edges(void **state)
{
	static const char yaml[] = "version: 1\n"
				   "workspaces:\n"
				   "  - kind: npm\n"
				   "  - kind: npm\n"
				   "    root: third\n";
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;
	struct sl_buf sb = SL_BUF_INIT;

	(void)state;
	if (derive(&r, yaml, &err))
		fail_msg("%s", sl_error_message(&err));
	describe_lanes(&sb, r);
	assert_string_equal(sb.buf, "api[] /packages/api/ >log\n"
				    "log[] /packages/log/\n"
				    "web[] /packages/web/ >api\n"
				    "t-a[] /third/a/ >t-b\n"
				    "t-b[] /third/b/ >t-a\n");
	sl_buf_release(&sb);
	sl_rules_free(r);
	sl_error_release(&err);
}

static void refused(const char *yaml, const char *message)
{
	struct sl_error err = SL_ERROR_INIT;
	struct sl_rules *r = NULL;

	assert_int_equal(derive(&r, yaml, &err), SL_ERULES);
	assert_null(r);
	assert_string_equal(sl_error_message(&err), message);
	sl_error_release(&err);
}

static void derive__refusals_at_their_place(void **state)
{
	(void)state;
	refused("version: 1\nworkspaces:\n  - kind: yarn\n",
		"sluice.yml:3:11: 'kind' must be npm, pnpm or go, not 'yarn'");
	refused("version: 1\nworkspaces:\n  - root: .\n",
		"sluice.yml:3:5: a workspace needs a 'kind': npm, pnpm or go");
	refused("version: 1\nworkspaces:\n  - kind: npm\n    root: ../x\n",
		"sluice.yml:4:11: 'root' must stay inside the repository, but "
		"'../x' goes up with '..'");
	refused(
	    "version: 1\nworkspaces:\n  - kind: npm\n    gates:\n"
	    "      '{lane}-{pkg}': {run: x}\n",
	    "sluice.yml:5:7: '{lane}-{pkg}' has '{pkg}', which is not one of "
	    "{lane}, {path} and {name}");
	refused(
	    "version: 1\nworkspaces:\n  - kind: npm\n    gates:\n"
	    "      'a b {lane}': {run: x}\n",
	    "sluice.yml:5:7: gate 'a b x' is not a valid name; use letters, "
	    "digits, '.', '_' and '-', starting with a letter or a digit");
	refused("version: 1\nworkspaces:\n  - kind: npm\n    gates:\n"
		"      '{lane}': {run: 'x {nmae}'}\n",
		"sluice.yml:5:7: 'x {nmae}' has '{nmae}', which is not one of "
		"{lane}, {path} and {name}");
	/* A template without {lane} or {name} names one gate per lane. */
	refused(
	    "version: 1\nworkspaces:\n  - kind: npm\n    gates:\n"
	    "      unit: {run: 'npm test -w {path}'}\n",
	    "sluice.yml:5:7: gate template 'unit' makes gate 'unit' for lane "
	    "log, but unit is already a gate of lane api, from the same "
	    "template (line 5, column 7); put {lane} or {name} in the "
	    "template's name, or rename the other gate");
	refused("version: 1\nworkspaces:\n  - kind: npm\n    gates:\n"
		"      '{lane}-unit': {run: x}\nlanes:\n  x:\n    gates:\n"
		"      api-unit: {run: y}\n",
		"sluice.yml:5:7: gate template '{lane}-unit' makes gate "
		"'api-unit' for lane api, but api-unit is already a gate of "
		"lane x (line 9, column 7); put {lane} or {name} in the "
		"template's name, or rename the other gate");
	/* With workspaces, an unknown name is told once they are derived. */
	refused("version: 1\nworkspaces:\n  - kind: npm\nlanes:\n  x:\n"
		"    consumes: [wbb]\n",
		"sluice.yml:6:16: lane 'x' consumes unknown lane 'wbb', which "
		"no lane written or derived from the workspaces has; did you "
		"mean 'web'?");
	refused("version: 1\nworkspaces:\n  - kind: npm\nlanes:\n  x:\n"
		"    consumes: [zzzzzz]\n",
		"sluice.yml:6:16: lane 'x' consumes unknown lane 'zzzzzz', "
		"which no lane written or derived from the workspaces has; "
		"remove it");
	refused("version: 1\nworkspaces:\n  - kind: npm\nlanes:\n  x:\n"
		"    consumes: [web, web]\n",
		"sluice.yml:6:21: lane 'web' is listed twice in 'consumes'; "
		"remove one");
	/* Without them, at load, as before. */
	refused("version: 1\nlanes:\n  x:\n    consumes: [web]\n",
		"sluice.yml:4:16: lane 'x' consumes unknown lane 'web'; define "
		"it under 'lanes', or remove it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(derive__lanes_gates_and_consumes),
	    cmocka_unit_test(derive__written_consumes_meet_derived),
	    cmocka_unit_test(derive__refining_lane_inputs),
	    cmocka_unit_test(derive__two_workspaces),
	    cmocka_unit_test(derive__second_workspace_edges),
	    cmocka_unit_test(derive__refusals_at_their_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
