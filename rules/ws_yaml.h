/*
 * ws_yaml.h: reading the YAML of pnpm's files from rules/yaml.c's node
 * tree (ws_pnpm.c has them). Internal to rules/.
 */
#ifndef SL_RULES_WS_YAML_H
#define SL_RULES_WS_YAML_H

#include "rules/load_internal.h"

/* The value of key in the mapping map; 0 when absent (or not a map). */
uint32_t sl_ymap_get(const struct sl_ydoc *doc, uint32_t map, const char *key);
/* Walks a mapping's pairs: while (sl_ymap_next(&it)) use it.k, it.v.
 * map 0 (sl_ymap_get()'s "absent") has none. */
struct sl_ymap_iter {
	const struct sl_ydoc *doc;
	uint32_t map, i, k, v;
};
void sl_ymap_iter_init(struct sl_ymap_iter *it, const struct sl_ydoc *doc,
		       uint32_t map);
bool sl_ymap_next(struct sl_ymap_iter *it);
/* A hash of the subtree at node: its structure and its scalars' text. */
uint64_t sl_ynode_hash(const struct sl_ydoc *doc, uint32_t node);
/* Sets "FILE:LINE:COL: what" at node. */
int sl_ws_yaml_error(struct sl_error *err, const char *file,
		     const struct sl_ydoc *doc, uint32_t node,
		     const char *what);

#endif
