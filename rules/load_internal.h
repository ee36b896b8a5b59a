/*
 * load_internal.h: the pieces of the rules loader, shared by rules/yaml.c
 * (libyaml events -> a flat node tree), rules/schema.c (typed reads of that
 * tree and the loader's error messages), rules/gate.c (one gate) and
 * rules/load.c (the file as a whole). Internal to rules/: nothing outside
 * the folder includes it.
 */
#ifndef SL_RULES_LOAD_INTERNAL_H
#define SL_RULES_LOAD_INTERNAL_H

#include "common/common.h"

#include "rules/rules.h"

/* ---- the YAML document as a flat tree (rules/yaml.c) ---------------- */

enum sl_ynode_type { SL_YSCALAR, SL_YSEQ, SL_YMAP };

/*
 * One node. The tree is stored in document order (pre-order): a node's
 * children follow it, and `end` is the index just past its subtree, so the
 * next sibling of child c is nodes[c].end. A mapping's children alternate
 * key, value.
 */
struct sl_ynode {
	uint32_t end;
	uint32_t n;	    /* children (a mapping has 2 per pair) */
	uint32_t off, len;  /* a scalar's text: doc->text.buf + off */
	uint32_t line, col; /* 1-based */
	uint8_t type;	    /* enum sl_ynode_type */
	uint8_t plain;	    /* a plain (unquoted, not block) scalar */
	uint8_t flow;	    /* a collection written [..] or {..} */
};

struct sl_ydoc {
	struct sl_ynode *nodes; /* nodes[0] is the root */
	uint32_t nnodes;
	size_t alloc;
	struct sl_buf text; /* every scalar, each followed by a NUL */
};

#define SL_YDOC_INIT                                                           \
	{                                                                      \
		.nodes = NULL, .nnodes = 0, .alloc = 0, .text = SL_BUF_INIT    \
	}

/*
 * Parses one YAML document with libyaml's event API into doc, refusing
 * anchors, aliases, tags, a second document, nesting deeper than
 * SL_RULES_MAX_DEPTH and NUL bytes in scalars. An empty stream leaves
 * doc->nnodes 0. Errors are SL_ERULES, "file:line:col: ...".
 */
int sl_ydoc_parse(struct sl_ydoc *doc, const char *file, const char *data,
		  size_t len, struct sl_error *err);
void sl_ydoc_release(struct sl_ydoc *doc);

/* What a node is, as messages name it: plain scalars are typed by YAML's
 * core schema (null, true/false, integers, numbers); others are strings. */
enum sl_ykind {
	SL_YK_NULL,
	SL_YK_BOOL,
	SL_YK_INT,
	SL_YK_FLOAT,
	SL_YK_STRING,
	SL_YK_LIST,
	SL_YK_MAP
};

enum sl_ykind sl_ydoc_kind(const struct sl_ydoc *doc, uint32_t node);
/* "null", "a boolean", "an integer", "a number", "a string", ... */
const char *sl_ykind_name(enum sl_ykind kind);
/* Would this text, written plain, be read as something other than a
 * string? (For the hint "quote it" / "remove the quotes".) */
enum sl_ykind sl_ykind_of_plain(const char *text);

static inline const char *sl_ydoc_str(const struct sl_ydoc *doc, uint32_t node)
{
	return doc->text.buf + doc->nodes[node].off;
}

/* ---- the loader's state (rules/schema.c, rules/gate.c, rules/load.c) */

/* A string -> number hash map over strings that outlive it. */
struct sl_strmap {
	struct sl_strmap_entry {
		const char *key;
		uint64_t value;
	} * slots;
	size_t cap, n;
};

/* Returns the value of key, or UINT64_MAX when it is absent. */
uint64_t sl_strmap_get(const struct sl_strmap *map, const char *key);
/* Adds key (borrowed) unless it is present; returns the value it has. */
uint64_t sl_strmap_put(struct sl_strmap *map, const char *key, uint64_t value);
void sl_strmap_release(struct sl_strmap *map);

struct sl_loader {
	const char *file;
	struct sl_ydoc doc;
	struct sl_rules *rules; /* being filled in */
	struct sl_error *err;
	/* Gates are gathered apart so that the global ones come first. */
	struct sl_gate *global_gates, *lane_gates;
	size_t nglobal, global_alloc, nlane_gates, lane_gates_alloc;
	size_t rules_alloc;	     /* of rules->rules.items */
	struct sl_strmap lane_names; /* name -> lane index */
	const char **lane_list;	     /* every lane name, borrowed */
	size_t nlane_list;
	struct sl_strmap gate_names; /* name -> node of its definition */
	uint32_t **consumes_nodes;   /* by lane: the node of each entry */
	size_t nconsumes_nodes;
	size_t *stamp;		  /* by lane: 1 + the lane listing it */
	struct sl_buf subject[4]; /* printable copies of user text */
	unsigned next_subject;
	uint32_t ledger_remote_node; /* 0: no `ledger_remote` */
	/* The file has `workspaces`: `consumes` may name a lane that only
	 * they derive (struct sl_lane, later). */
	bool has_workspaces;
	/* With an offer, patterns are compiled once the file is read, half
	 * of them offered (load.c); else each where it is met. */
	struct sl_offer *offer;
	struct sl_pending_pattern *pending;
	size_t npending, pending_alloc;
};

/* A pattern met, to compile once the file is read (load.c). */
struct sl_pending_pattern {
	struct sl_pattern *pattern; /* the rule's, empty until compiled */
	const char *text;	    /* the rule's */
	struct sl_pos pos;
	int ret;
	struct sl_error err;
};

/* A key the loader knows in some mapping, and what reads its value. */
struct sl_field {
	const char *name;
	int (*read)(struct sl_loader *ld, uint32_t key, uint32_t value,
		    void *obj);
};

/* Appends text made safe for a one-line message: control bytes and '\\'
 * escaped as \\xNN, cut short past 60 bytes. */
void sl_load_printable(struct sl_buf *out, const char *text);

/*
 * Text from the file made safe for a one-line message: control bytes
 * escaped, cut short past 60 bytes. Valid until four more calls.
 */
const char *sl_load_subject(struct sl_loader *ld, const char *text);

/* Sets the loader's error to "file:line:col: <formatted>" at node. */
int sl_load_error(struct sl_loader *ld, uint32_t node, const char *fmt, ...)
    SL_PRINTF(3, 4);
/* "<what> must be <want>, not <kind of node>" plus a hint where one helps. */
int sl_load_type_error(struct sl_loader *ld, uint32_t node, const char *what,
		       const char *want);

/*
 * Walks the mapping at node, calling each known key's reader in the order
 * written; an unknown key (with "did you mean") or a key written twice is
 * an error. where names the mapping in messages ("in gate 'x'"). A null
 * node is an empty mapping; anything else but a mapping is the caller's
 * to refuse first.
 */
int sl_load_fields(struct sl_loader *ld, uint32_t node,
		   const struct sl_field *fields, size_t nfields,
		   const char *where, void *obj);

/* Checks that a mapping's key is a scalar and not null. */
int sl_load_key(struct sl_loader *ld, uint32_t key);

/* Typed reads; what names the key in messages ("'ledger'"). */
int sl_load_string(char **out, struct sl_loader *ld, uint32_t node,
		   const char *what);
/* Any scalar but null, as written (names, argv entries, env values). */
int sl_load_text(const char **out, struct sl_loader *ld, uint32_t node,
		 const char *what, const char *want);
int sl_load_bool(bool *out, struct sl_loader *ld, uint32_t node,
		 const char *what);
int sl_load_uint(uint64_t *out, struct sl_loader *ld, uint32_t node,
		 const char *what);
/* Checks that node is a list, or null (an empty one); *out its length. */
int sl_load_list(size_t *out, struct sl_loader *ld, uint32_t node,
		 const char *what, const char *want);
/* A list of non-empty strings (null: empty). */
int sl_load_string_list(struct sl_strvec *out, struct sl_loader *ld,
			uint32_t node, const char *what);
/* A list of patterns, compiled, each with lane SL_NO_LANE (null: empty). */
int sl_load_pattern_list(struct sl_rule_list *out, struct sl_loader *ld,
			 uint32_t node, const char *what);
/* Compiles the pattern at node into rule (text, pattern, pos), or, with
 * an offer, gives rule an empty pattern and adds it to ld->pending. */
int sl_load_pattern(struct sl_rule *rule, struct sl_loader *ld, uint32_t node,
		    const char *what);
/* Sets ld's error for a pattern at pos that failed to compile with err. */
int sl_load_pattern_error(struct sl_loader *ld, struct sl_pos pos,
			  const struct sl_error *err);
/* A name of a gate or lane (a key): [A-Za-z0-9][A-Za-z0-9._-]*, at most
 * 128 bytes; what is "gate" or "lane". */
int sl_load_name(const char **out, struct sl_loader *ld, uint32_t node,
		 const char *what);

/* The same checks of text (not the node's own), reported at node. */
int sl_load_name_text(struct sl_loader *ld, uint32_t node, const char *text,
		      const char *what);

/*
 * Reads the mapping of gates at value (under key: `gates` or `smoke`) into
 * the loader's gates of kind, for lane (rules/gate.c).
 */
int sl_load_gates(struct sl_loader *ld, uint32_t key, uint32_t value,
		  enum sl_gate_kind kind, size_t lane);

/* A gate with the defaults of kind (no name, no run, lane SL_NO_LANE). */
void sl_gate_defaults(struct sl_gate *gate, enum sl_gate_kind kind);
/*
 * Reads the gate written at key (a mapping's key; its value the gate's
 * fields) into gate, set up with sl_gate_defaults(), named name. The
 * name's checks are the caller's.
 */
int sl_load_gate_body(struct sl_loader *ld, uint32_t key, struct sl_gate *gate,
		      const char *name);
/* `workspaces:` (rules/ws_rules.c). */
int sl_load_workspaces(struct sl_loader *ld, uint32_t key, uint32_t value,
		       void *obj);

/* Frees what a workspace entry holds (rules/ws_rules.c). */
void sl_ws_rule_release(struct sl_ws_rule *w);
/* Frees a lane's contents (rules.c). */
void sl_lane_release(struct sl_lane *lane);
/* Frees what a gate or a rule list holds (rules/rules.c). */
void sl_gate_release(struct sl_gate *gate);
void sl_rule_list_release(struct sl_rule_list *list);

#endif
