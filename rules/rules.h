/*
 * rules: the rules file (SPEC.md §1) as sluice holds it in memory. This
 * header owns the data model (struct sl_rules and what hangs off it), its
 * loading and validation from YAML, the gitignore-exact and PCRE2 patterns,
 * and the ownership index that answers "which lane owns this path, and which
 * rule decided?". It knows nothing of git, diffs or running gates.
 *
 * Everything a struct sl_rules points to is owned by it and freed by
 * sl_rules_free(); callers treat it as read-only. Positions are 1-based
 * line and column in the file the rules were loaded from.
 */
#ifndef SL_RULES_H
#define SL_RULES_H

#include "common/common.h"

/* The index of "no lane" (unowned paths, contract gates). */
#define SL_NO_LANE SIZE_MAX

/* Limits that bound hostile input (SPEC.md §1 Validation). */
#define SL_RULES_MAX_BYTES (4u * 1024 * 1024)
#define SL_RULES_MAX_DEPTH 64

enum sl_unowned_policy {
	SL_UNOWNED_RUN_ALL = 0, /* default */
	SL_UNOWNED_GLOBAL_ONLY,
	SL_UNOWNED_FAIL
};

enum sl_consumers_mode {
	SL_CONSUMERS_TRANSITIVE = 0, /* default */
	SL_CONSUMERS_DIRECT
};

enum sl_gate_kind { SL_GATE_CONTRACT, SL_GATE_LOCAL, SL_GATE_SMOKE };

struct sl_pos {
	unsigned line;
	unsigned col;
};

/* A compiled pattern; opaque, owned by the struct sl_rule that holds it. */
struct sl_pattern;

/*
 * One pattern as written: an ownership pattern of a lane, an entry of
 * run_all_on, or an entry of a gate's `when`.
 */
struct sl_rule {
	char *text;		    /* as written in the file */
	struct sl_pattern *pattern; /* compiled */
	size_t lane; /* owning lane; SL_NO_LANE unless ownership */
	struct sl_pos pos;
};

struct sl_rule_list {
	struct sl_rule *items;
	size_t n;
};

struct sl_env_var {
	char *name;
	char *value;
};

struct sl_gate {
	char *name;
	enum sl_gate_kind kind;
	size_t lane; /* SL_NO_LANE for contract gates */
	/* `run` as a string: run by /bin/sh -c; NULL when argv is used. */
	char *shell;
	/* `run` as a list: argv, NULL-terminated; n == 0 when shell is used. */
	struct sl_strvec argv;
	char *cwd; /* relative to the repository root; NULL: the root */
	struct sl_env_var *env;
	size_t nenv;
	uint64_t timeout_ms; /* default 30 minutes */
	unsigned retries;
	struct sl_rule_list when; /* n == 0: always */
	/*
	 * `inputs`: patterns matched against every changed path, wherever
	 * it is and whoever owns it; one that matches selects this gate
	 * (docs/rules.md). n == 0: none.
	 */
	struct sl_rule_list inputs;
	bool overridable; /* default true */
	/* `approvers` as written; has_approvers false when the key is absent. */
	struct sl_strvec approvers;
	bool has_approvers;
	struct sl_pos pos; /* of the gate's name */
};

struct sl_lane {
	char *name;
	struct sl_strvec owners;
	size_t *consumes; /* lane indices, as written */
	size_t nconsumes;
	/*
	 * A lane derived from a workspace (SPEC.md §7): the manifest of its
	 * package (NULL for a lane only written under `lanes`), the index of
	 * its `workspaces` entry, and how many of consumes come first from
	 * the manifests (the rest are written).
	 */
	char *manifest;
	size_t workspace;
	size_t nderived;
	/*
	 * In a file with `workspaces`: the entries of `consumes` that name
	 * no written lane, as written, with where; sl_rules_derive() finds
	 * them among the derived lanes (an unknown one is SL_ERULES there).
	 * later_at[i]: how many of consumes come before later.v[i].
	 */
	struct sl_strvec later;
	struct sl_pos *later_pos;
	size_t *later_at;
	/*
	 * `inputs`: patterns matched against every changed path outside
	 * the lane; one that matches touches the lane as one of its own
	 * paths would (docs/rules.md), without changing who owns the path.
	 * n == 0: none.
	 */
	struct sl_rule_list inputs;
	/* This lane's ownership patterns: rules->rules.items[first_rule ..]. */
	size_t first_rule;
	size_t nrules;
	struct sl_pos pos;
};

struct sl_owner_index; /* opaque: rules/index.c */

/* ---- workspaces in the rules (SPEC.md §7) */

enum sl_ws_kind { SL_WS_NPM, SL_WS_PNPM, SL_WS_GO };

/* One entry of `workspaces`: its kind and root, and the templates every
 * lane derived from it gets ({lane}, {path} and {name} in gate names and
 * in run, cwd and env). */
struct sl_ws_rule {
	enum sl_ws_kind kind;
	char *root; /* relative to the repository root; "" the root */
	struct sl_strvec owners;
	struct sl_gate *gates; /* local and smoke templates, as written */
	size_t ngates;
	struct sl_pos pos; /* of the entry */
};

struct sl_rules {
	char *file; /* the name used in messages ("sluice.yml", "<base>:...") */
	unsigned version;
	struct sl_rule_list run_all_on;
	enum sl_unowned_policy unowned;
	enum sl_consumers_mode consumers;
	char *ledger; /* NULL: not set in the file */
	/*
	 * `ledger: git:REF` (SPEC.md §6): the ref the ledger is shared on
	 * (a full name, "refs/heads/sluice-ledger"); NULL for a local ledger.
	 * ledger_remote: the remote it lives on; NULL when not written
	 * (origin).
	 */
	char *ledger_ref;
	char *ledger_remote;
	struct sl_pos ledger_pos; /* of the `ledger` value; 0:0 when none */
	char *allowed_signers;	  /* NULL: decisions need no signature */
	struct sl_strvec global_approvers;
	struct sl_lane *lanes; /* in file order */
	size_t nlanes;
	/*
	 * Every gate, in file order: the global gates, then each lane's
	 * `gates` and `smoke` in the order written.
	 */
	struct sl_gate *gates;
	size_t ngates;
	/* Every ownership pattern, in file order; decides ties (last wins). */
	struct sl_rule_list rules;
	struct sl_owner_index *index;
	/* `workspaces`, as written; the lanes they give are added by
	 * sl_rules_derive(). */
	struct sl_ws_rule *workspaces;
	size_t nworkspaces;
	bool derived; /* sl_rules_derive() has added them */
};

/* ---- loading ---------------------------------------------------------- */

/*
 * Loads and validates the rules file at path (SPEC.md §1): the whole file is
 * checked before anything is returned. On error returns SL_ERULES with a
 * message "FILE:LINE:COL: what is wrong; what to do" (SL_EENV when the file
 * cannot be read). Caller owns *out and frees it with sl_rules_free().
 */
int sl_rules_load_file(struct sl_rules **out, const char *path,
		       struct sl_error *err);

/*
 * The same for rules held in memory (a blob read from a commit); name is
 * what messages call the file, e.g. "sluice.yml@1a2b3c4".
 */
int sl_rules_load_buffer(struct sl_rules **out, const char *name,
			 const char *data, size_t len, struct sl_error *err);

/*
 * The same, offering half of the patterns' compilation to a thread that
 * serves offer (common.h, struct sl_offer; NULL: none). The result and
 * its errors are the same as without: the first mistake in the file.
 */
int sl_rules_load_offered(struct sl_rules **out, const char *name,
			  const char *data, size_t len, struct sl_offer *offer,
			  struct sl_error *err);

void sl_rules_free(struct sl_rules *rules);

/* What messages call the file from now on: rules loaded from one commit's
 * copy, kept for another commit whose copy is the same blob. */
void sl_rules_rename(struct sl_rules *rules, const char *name);

/* Looks a gate or lane up by name; NULL when there is none. Borrowed. */
const struct sl_gate *sl_rules_gate(const struct sl_rules *rules,
				    const char *name);
const struct sl_lane *sl_rules_lane(const struct sl_rules *rules,
				    const char *name);

/* "contract", "local" or "smoke". */
const char *sl_gate_kind_name(enum sl_gate_kind kind);

/*
 * Parses a duration: a positive integer followed by ms, s, m or h ("90s",
 * "10m", "1h"). Returns 0 and the value in milliseconds, or -1.
 */
int sl_duration_parse(uint64_t *out_ms, const char *text);

/* ---- patterns ------------------------------------------------------- */

/* Flags for matching. */
enum sl_match_flag {
	/* The path itself is a directory (a submodule); its ancestors always
	 * are. */
	SL_MATCH_DIR = 1 << 0
};

/*
 * Compiles one pattern: a gitignore glob, or "re:EXPR" for a PCRE2 regular
 * expression matched against the whole path. On error returns SL_ERULES
 * with a message that says what is wrong with the pattern (without a
 * position: the caller adds file:line:col). Caller owns *out.
 */
int sl_pattern_compile(struct sl_pattern **out, const char *text,
		       struct sl_error *err);
void sl_pattern_free(struct sl_pattern *pattern);

/*
 * Does pattern match path (len bytes, relative to the root, no leading
 * slash)? Glob patterns mean exactly what `git check-ignore --no-index`
 * says, including a match of any leading directory. Returns 1 or 0, or
 * SL_ERULES when a limit was hit (never a silent "no match").
 */
int sl_pattern_match(const struct sl_pattern *pattern, const char *path,
		     size_t len, unsigned flags, struct sl_error *err);

/* Does any rule of list match path? Same returns as sl_pattern_match(). */
int sl_rule_list_match(const struct sl_rule_list *list, const char *path,
		       size_t len, unsigned flags, struct sl_error *err);

/*
 * What a change to a path selects besides its lane's gates: the first
 * run_all_on pattern that matches it (every gate), else the first input
 * of a gate (that gate), else of a lane (that lane is touched), in file
 * order; what check counts as covered and explain names. kind is
 * SL_COVER_NONE (rule NULL) when none matches.
 */
enum sl_cover_kind {
	SL_COVER_NONE,
	SL_COVER_RUN_ALL,
	SL_COVER_GATE_INPUTS,
	SL_COVER_LANE_INPUTS
};
struct sl_cover {
	enum sl_cover_kind kind;
	const struct sl_rule *rule; /* the pattern that matches */
	size_t index;		    /* the gate's or lane's (inputs) */
};
/* Returns 0, or SL_ERULES when a pattern hit a limit. */
int sl_rules_cover(struct sl_cover *out, const struct sl_rules *rules,
		   const char *path, size_t len, unsigned flags,
		   struct sl_error *err);

/* ---- ownership -------------------------------------------------------- */

/*
 * The ownership rule that decides path: the last rule, in file order, whose
 * pattern matches it (*out is NULL when no lane owns the path). Its lane is
 * (*out)->lane. Uses the index, so the cost does not grow with the number
 * of rules. Returns 0, or SL_ERULES when a pattern hit a limit.
 */
int sl_rules_owner(const struct sl_rule **out, const struct sl_rules *rules,
		   const char *path, size_t len, unsigned flags,
		   struct sl_error *err);

/*
 * The same answer by testing every rule, last to first: the reference the
 * index is tested and benchmarked against.
 */
int sl_rules_owner_scan(const struct sl_rule **out,
			const struct sl_rules *rules, const char *path,
			size_t len, unsigned flags, struct sl_error *err);

/*
 * Builds the ownership index over rules->rules (sl_rules_load_*() calls
 * this). Caller owns *out; free with sl_owner_index_free().
 */
void sl_owner_index_build(struct sl_owner_index **out,
			  const struct sl_rule_list *rules);
void sl_owner_index_free(struct sl_owner_index *index);

/* ---- importing CODEOWNERS (codeowners*.c) ------------------------------ */

enum sl_codeowners_flavor {
	SL_CODEOWNERS_AUTO = 0, /* GitLab when a line is a [Section] header */
	SL_CODEOWNERS_GITHUB,
	SL_CODEOWNERS_GITLAB
};

struct sl_codeowners_options {
	enum sl_codeowners_flavor flavor;
	const char *source; /* the file's name in messages; NULL: CODEOWNERS */
};

#define SL_CODEOWNERS_OPTIONS_INIT                                             \
	{                                                                      \
		.flavor = SL_CODEOWNERS_AUTO, .source = NULL                   \
	}

struct sl_codeowners_result {
	struct sl_buf yaml;		  /* the rules file */
	struct sl_strvec warnings;	  /* "SOURCE:LINE: ...", by line */
	enum sl_codeowners_flavor flavor; /* as read; never AUTO */
	/*
	 * The CODEOWNERS line of each ownership pattern of yaml, in file
	 * order: rule_lines[k] is the line of rules->rules.items[k] once
	 * yaml is loaded. (The YAML says it too, in a "# line N" comment.)
	 */
	unsigned *rule_lines;
	size_t nrule_lines;
};

#define SL_CODEOWNERS_RESULT_INIT                                              \
	{                                                                      \
		.yaml = SL_BUF_INIT, .warnings = SL_STRVEC_INIT,               \
		.flavor = SL_CODEOWNERS_AUTO                                   \
	}

/*
 * Converts the CODEOWNERS file text[0..len) into a rules file (YAML,
 * version 1, one lane per owner set) that sl_rules_load_buffer() loads and
 * whose ownership (sl_rules_owner()) gives every path the owners the
 * CODEOWNERS file gives it: exactly for GitHub's rules; for GitLab's, with
 * its sections flattened in file order (docs/codeowners.md). Lines the
 * host skips as invalid, and what the conversion cannot carry over (GitLab
 * sections that overlap, optional sections, approval counts), become
 * warnings, which the YAML repeats as comments. out (initialized with
 * SL_CODEOWNERS_RESULT_INIT) is reset first; on success the caller owns
 * its contents and frees them with sl_codeowners_result_release().
 * Returns SL_EUSAGE for input that is not a text file (a NUL byte, not
 * UTF-8) or a pattern or result past the rules file's limits; out is then
 * left empty.
 */
int sl_codeowners_convert(struct sl_codeowners_result *out, const char *text,
			  size_t len, const struct sl_codeowners_options *opts,
			  struct sl_error *err);
void sl_codeowners_result_release(struct sl_codeowners_result *res);

/* ---- checking the rules against a tree (coverage*.c) ------------------- */

/*
 * What `sluice check` reports (docs/check.md): the rules held against the
 * tracked paths of a tree, and against a CODEOWNERS file. The paths are
 * given, so that this knows nothing of git.
 */

/* One tracked path of the tree. Borrowed from the caller. */
struct sl_check_path {
	const char *path;
	size_t len;
	unsigned flags; /* SL_MATCH_DIR for a submodule */
};

enum sl_severity {
	SL_SEVERITY_NOTE,    /* worth knowing; never fails the check */
	SL_SEVERITY_WARNING, /* fails the check with --strict */
	SL_SEVERITY_ERROR    /* fails the check */
};

#define SL_SEVERITY_COUNT 3

enum sl_finding_kind {
	SL_FINDING_UNOWNED,	      /* tracked paths no lane owns */
	SL_FINDING_UNMATCHED,	      /* an ownership pattern matches none */
	SL_FINDING_SHADOWED,	      /* ... matches some, decides none */
	SL_FINDING_RUN_ALL_UNMATCHED, /* a run_all_on pattern matches none */
	SL_FINDING_WHEN_UNMATCHED,    /* a `when` pattern matches none */
	SL_FINDING_LANE_NO_GATES,     /* a change to the lane runs no gate */
	SL_FINDING_LANE_NO_PATHS,     /* a lane with no patterns */
	SL_FINDING_GATE_NO_PATHS,     /* a gate no tracked path can select */
	SL_FINDING_SMOKE_NO_UPSTREAM, /* a smoke gate's lane consumes none */
	SL_FINDING_CODEOWNERS,	      /* a CODEOWNERS line the host skips */
	SL_FINDING_DRIFT,	      /* paths given other owners */
	SL_FINDING_LEDGER_UNSIGNED,   /* a shared ledger, no allowed_signers */
	SL_FINDING_WORKSPACE,	      /* the lanes a workspace derived */
	SL_FINDING_CONSUMES_CONTRADICTS, /* written consumes, not in manifests */
	SL_FINDING_RUN_ALL,		 /* tracked paths run_all_on matches */
	SL_FINDING_INPUT_UNMATCHED,	 /* a gate's input matches none */
	SL_FINDING_INPUTS,		 /* unowned paths gate inputs cover */
	SL_FINDING_CONSUMES_MISSING, /* manifests: a dependency not consumed */
	SL_FINDING_CONSUMES_UNSUPPORTED, /* consumes no manifest supports */
	SL_FINDING_WORKSPACE_UNREADABLE, /* a workspace could not be read */
};

/* "unowned", "unmatched", "shadowed", ...: the names docs/check.md uses. */
const char *sl_finding_kind_name(enum sl_finding_kind kind);
/* "note", "warning", "error". */
const char *sl_severity_name(enum sl_severity severity);

struct sl_finding {
	enum sl_finding_kind kind;
	enum sl_severity severity;
	/* Where: the rules' or the CODEOWNERS file's name (borrowed), and a
	 * position in it (line 0: none); file NULL when it is about no line. */
	const char *file;
	struct sl_pos pos;
	const struct sl_rule *rule; /* the pattern it is about, or NULL */
	size_t lane;		    /* the lane it is about, or SL_NO_LANE */
	const struct sl_gate *gate; /* the gate it is about, or NULL */
	/* SL_FINDING_SHADOWED: a path the pattern matches (an index into
	 * the paths), and the later rule that decides it. */
	size_t example;
	const struct sl_rule *decided_by;
	char *message; /* one line: what is wrong and what to do */
};

/* A tracked path that the rules and the CODEOWNERS file give other owners. */
struct sl_check_drift {
	size_t path;		       /* an index into the paths */
	const struct sl_rule *rule;    /* the rules' deciding rule, or NULL */
	const struct sl_rule *co_rule; /* the CODEOWNERS rules', or NULL */
	unsigned co_line;	       /* co_rule's CODEOWNERS line; 0: none */
};

struct sl_check_report {
	size_t npaths;
	/* Per path, in the order given: the rule that decides it (NULL:
	 * unowned). Borrowed from the rules. */
	const struct sl_rule **owner;
	size_t *lane_paths; /* per lane: how many of the paths it owns */
	size_t *unowned;    /* the unowned paths' indices, in order */
	size_t nunowned;
	/* The paths a run_all_on pattern matches, in order: a change to one
	 * runs every gate, so none of them is unowned. */
	size_t *run_all;
	size_t nrun_all;
	/* The paths no lane owns and no run_all_on pattern matches that a
	 * gate's inputs name, in order: covered too (they select those
	 * gates), so none of them is unowned either. */
	size_t *inputs;
	size_t ninputs;
	/* In order: the rules file's, by position; the unowned paths'; the
	 * CODEOWNERS file's; the drift's. */
	struct sl_finding *findings;
	size_t nfindings;
	size_t alloc_findings;
	/* sl_check_consumes(): the workspaces it read, their packages, and
	 * the pairs of lanes a dependency between packages joins. */
	size_t consumes_workspaces, consumes_packages, consumes_edges;
	struct sl_check_drift *drift; /* in the order of the paths */
	size_t ndrift;
	size_t alloc_drift;
	size_t count[SL_SEVERITY_COUNT]; /* findings by severity */
};

#define SL_CHECK_REPORT_INIT                                                   \
	{                                                                      \
		.npaths = 0                                                    \
	}

/*
 * Checks rules against the tracked paths[0..n) of a tree (docs/check.md):
 * which rule decides each path, which paths run_all_on matches (covered:
 * a change to one runs every gate) and which paths no lane owns; ownership
 * patterns that decide no path, told apart as matching none or shadowed
 * (every path they match is decided by a later rule); run_all_on and
 * `when` patterns that match no path they could see; lanes that no change
 * can make run a gate, lanes with no patterns, and gates that no path can
 * select. The deciding rule of every path comes from the index, so the
 * cost grows with n, not with the number of rules; only the patterns that
 * decide nothing are then tested for matching anything. out (initialized
 * with SL_CHECK_REPORT_INIT) borrows from rules and paths, which must
 * outlive it; release it with sl_check_report_release(). Returns
 * SL_ERULES when a pattern hits a match limit on a path (never a silent
 * "no match"); out is then left empty.
 */
int sl_check_tree(struct sl_check_report *out, const struct sl_rules *rules,
		  const struct sl_check_path *paths, size_t n,
		  struct sl_error *err);

void sl_check_report_release(struct sl_check_report *report);

struct sl_ws; /* below: a workspace, derived from its manifests */

/*
 * Adds to report what check says of the rules' workspaces (ws[i] derived
 * for rules->workspaces[i], the rules derived from them): a note per
 * workspace with its lanes and the count of lanes and edges, and a
 * warning for each written `consumes` of a derived lane naming another
 * lane of the same workspace that its manifest does not depend on.
 */
void sl_check_workspaces(struct sl_check_report *report,
			 const struct sl_rules *rules, struct sl_ws *const *ws);

/* The workspaces' manifests, sl_ws_source: below. */
struct sl_ws_source;

/*
 * Adds to report (filled by sl_check_tree() for rules, before any
 * CODEOWNERS findings) what the repository's own manifests say of the
 * lanes' consumes (docs/check.md, "consumes and the manifests"): every
 * npm (package.json with `workspaces`), pnpm (pnpm-workspace.yaml) and
 * Go (go.work) workspace among paths[0..n) (the tree's: outside
 * node_modules and hidden directories) that the rules' own `workspaces`
 * do not derive, is derived through src; each package belongs to the
 * lane that owns its manifest. A dependency of a package of lane A on
 * one of lane B that selection does not follow (B is not upstream of A)
 * is a warning when A has smoke gates (a change to B skips them), a note
 * otherwise; a written consumes edge between two lanes that own packages
 * with no dependency behind it is a note. A workspace whose manifests
 * cannot be parsed is a warning. Returns src's errors (SL_EENV), or
 * SL_ERULES when a pattern hits a match limit.
 */
int sl_check_consumes(struct sl_check_report *report,
		      const struct sl_rules *rules,
		      const struct sl_check_path *paths, size_t n,
		      const struct sl_ws_source *src, struct sl_error *err);

/* The owners a deciding rule gives (none for NULL: unowned). Borrowed. */
const struct sl_strvec *sl_rules_owners_of(const struct sl_rules *rules,
					   const struct sl_rule *rule);

/* A CODEOWNERS file, converted and loaded for comparing. */
struct sl_codeowners_rules {
	char *source;		/* the file's name, as given */
	struct sl_rules *rules; /* sl_codeowners_convert()'s, loaded */
	/* Per ownership rule of rules: the CODEOWNERS line it comes from
	 * (0: not known). */
	unsigned *lines;
	struct sl_strvec warnings;	  /* the converter's */
	enum sl_codeowners_flavor flavor; /* as read */
};

/*
 * Converts the CODEOWNERS file text[0..len) called source with
 * sl_codeowners_convert() (GitHub's rules, or GitLab's when the converter
 * finds its [Section] headers) and loads the result. Returns what the
 * converter returns for input it refuses (SL_EUSAGE), and SL_ERULES if the
 * result does not load. The caller owns *out (zeroed on failure) and
 * releases it with sl_codeowners_rules_release().
 */
int sl_codeowners_rules_load(struct sl_codeowners_rules *out,
			     const char *source, const char *text, size_t len,
			     struct sl_error *err);
void sl_codeowners_rules_release(struct sl_codeowners_rules *co);

/*
 * Adds to report (filled by sl_check_tree() for the same rules and paths)
 * the converter's warnings about co's lines, and every path whose owner
 * set (order, repetition and ASCII case aside) differs between rules and
 * co, with a no-owner lane and no lane both meaning "no owners". Differing
 * paths are an error. report borrows from co. Returns SL_ERULES when a
 * pattern hits a match limit.
 */
int sl_check_codeowners(struct sl_check_report *report,
			const struct sl_rules *rules,
			const struct sl_codeowners_rules *co,
			const struct sl_check_path *paths, size_t n,
			struct sl_error *err);

/* ---- workspaces: lanes derived from manifests (ws_*.c) ---------------- */

/*
 * A monorepo's own manifests (SPEC.md §7): npm and pnpm workspaces, Go
 * workspaces. Deriving one reads its manifests through a struct
 * sl_ws_source, so that this folder knows nothing of git: selector/ hands
 * it a commit's tree, tests a table in memory. Lockfiles are parsed from
 * bytes and compared by content (docs/workspaces.md).
 */

/* "npm", "pnpm", "go". */
const char *sl_ws_kind_name(enum sl_ws_kind kind);
/* The kind named name; -1 when there is none. */
int sl_ws_kind_parse(enum sl_ws_kind *out, const char *name);

/* Where manifests are read from. */
struct sl_ws_source {
	/*
	 * Appends the file at path (relative to the repository root) to
	 * out; *found false, out untouched, when there is none. An error
	 * reading it is an error, never "not found".
	 */
	int (*read)(void *ctx, const char *path, struct sl_buf *out,
		    bool *found, struct sl_error *err);
	/*
	 * Appends to out (sorted) every directory under dir ("": the root)
	 * that holds a file named file, at most depth levels below dir
	 * (UINT_MAX: any depth), dir itself included; directories named node_modules,
	 * or starting with '.', are not entered.
	 */
	int (*find)(void *ctx, const char *dir, const char *file,
		    unsigned depth, struct sl_strvec *out,
		    struct sl_error *err);
	void *ctx;
	/* Appended to a file's name in messages ("@1a2b3c4"); may be NULL. */
	const char *label;
};

/* An internal dependency: a package of the same workspace. */
struct sl_ws_edge {
	size_t to;	   /* the package depended on */
	const char *field; /* static: "dependencies", "require", ... */
};

struct sl_ws_pkg {
	char *name;	/* its own name; Go: the module path */
	char *dir;	/* relative to the repository root; "" the root */
	char *manifest; /* the file it was read from */
	char *lane;	/* its lane's name */
	struct sl_ws_edge *deps;
	size_t ndeps;
	/* Go: every module path its build may load (go.mod, go.sum),
	 * sorted: what lockfile changes are attributed by. */
	struct sl_strvec closure;
};

struct sl_ws {
	enum sl_ws_kind kind;
	char *root;		/* the workspace's directory; "" the root */
	struct sl_ws_pkg *pkgs; /* sorted by dir */
	size_t npkgs, alloc;
	/* The lockfiles compared by content, in the order to read them:
	 * package-lock.json, pnpm-lock.yaml; Go: go.work.sum, go.work and
	 * each module's go.mod and go.sum. */
	struct sl_strvec lockfiles;
	/* The lockfile every package shares, whose path stays changed only
	 * for what no package's closure holds; NULL: none (Go's own files
	 * are each a module's, but go.work.sum, shared). */
	char *shared_lockfile;
};

/*
 * Derives the workspace of kind at root (a directory relative to the
 * repository root, "" for the root itself) from its manifests read
 * through src: its packages with their lanes' names, directories and
 * internal dependencies (docs/workspaces.md has what each kind reads).
 * A manifest that is missing or cannot be parsed is SL_ERULES naming
 * the file (and line:col); an error of src is returned as it is. Caller
 * owns *out (sl_ws_free()).
 */
int sl_ws_derive(struct sl_ws **out, enum sl_ws_kind kind, const char *root,
		 const struct sl_ws_source *src, struct sl_error *err);
void sl_ws_free(struct sl_ws *ws);

/*
 * Adds to rules the lanes its `workspaces` derive, ws[i] being what
 * sl_ws_derive() read for rules->workspaces[i] (docs/workspaces.md):
 * a lane per package owning its directory, consuming its dependencies'
 * lanes, with the entry's owners and its templates filled in; a lane of
 * the same name written under `lanes` refines it. Lanes no written lane
 * refines come before every written one. A filled-in gate name that
 * another gate has is SL_ERULES at the template's file:line:col; so is
 * a lane name two workspaces derive. On error the rules are left
 * without lanes: free them. Does nothing the second time.
 */
int sl_rules_derive(struct sl_rules *rules, struct sl_ws *const *ws,
		    struct sl_error *err);

/*
 * Could a change to path change what sl_ws_derive() gives for ws (a
 * manifest of it, or one that a glob of it would find)?
 */
bool sl_ws_is_manifest(const struct sl_ws *ws, const char *path, size_t len);

/* One lockfile, parsed, with what each entry depends on. Opaque. */
struct sl_ws_lock;

/*
 * Parses the lockfile file (one of ws->lockfiles) of data[0..len) for
 * ws, which it borrows. A file that is not in the format, or in a
 * version of it sluice does not know, is SL_ERULES with a message that
 * says so: the caller then selects every lane of ws. Caller owns *out
 * (sl_ws_lock_free()).
 */
int sl_ws_lock_parse(struct sl_ws_lock **out, const struct sl_ws *ws,
		     const char *file, const char *data, size_t len,
		     struct sl_error *err);
void sl_ws_lock_free(struct sl_ws_lock *lock);

/* A lockfile change attributed to a package's lane. */
struct sl_ws_hit {
	char *lane;  /* the lane of the package whose closure holds it */
	char *entry; /* "node_modules/express 4.18.2 -> 4.19.2" */
};

struct sl_ws_changes {
	struct sl_ws_hit *hits; /* by lane, in the order the entries come */
	size_t nhits, alloc;
	/* Changed entries no package's closure holds (the root's own
	 * dependencies, and what nothing reaches), as hits name them. */
	struct sl_strvec unattributed;
	size_t nchanged; /* entries added, removed or changed */
};

#define SL_WS_CHANGES_INIT                                                     \
	{                                                                      \
		.hits = NULL, .nhits = 0, .alloc = 0,                          \
		.unattributed = SL_STRVEC_INIT, .nchanged = 0                  \
	}

/*
 * Compares two parses of one lockfile by content (SPEC.md §7): each
 * entry added, removed, or changed (version, source, integrity,
 * dependencies) is attributed to each package whose closure holds it,
 * in old's workspace (what was removed or changed) or new's (what was
 * added or changed); old or new may be NULL (a lockfile added or
 * removed). Appends to out (initialized with SL_WS_CHANGES_INIT).
 */
void sl_ws_lock_diff(struct sl_ws_changes *out, const struct sl_ws_lock *old,
		     const struct sl_ws_lock *new);
void sl_ws_changes_release(struct sl_ws_changes *changes);

#endif
