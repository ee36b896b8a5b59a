/*
 * override_remember.c: ssh-keygen's answers, remembered. Checking one
 * signature is one ssh-keygen process; a clone that checked an approval's
 * signature against one allowed_signers content does not ask again: the
 * answer (holds, or does not) is kept in the ledger's working copy, under
 * the SHA-256 of everything the answer depends on (the allowed_signers
 * content, the identity, the namespace, the signature, the signed text).
 * An allowed_signers file whose answers depend on the time (valid-after,
 * valid-before, certificate authorities, whose certificates expire) is
 * always asked. Running ssh-keygen is override_sign.c's.
 */
#include "common/common.h"

#include <strings.h>

#include "gates/ledger_internal.h"

/* Does the answer for this allowed_signers content depend on the time? */
static bool timely(const char *allowed_signers)
{
	static const char *const words[] = {"valid-after", "valid-before",
					    "cert-authority"};
	const char *p;
	size_t i;

	for (i = 0; i < SL_ARRAY_SIZE(words); i++)
		for (p = allowed_signers; *p; p++)
			if (!strncasecmp(p, words[i], strlen(words[i])))
				return true;
	return false;
}

static void check_key(char out[SL_HASH_HEX_SIZE],
		      const struct sl_override_policy *policy,
		      const char *identity, const char *signature,
		      const char *text)
{
	struct sl_buf form = SL_BUF_INIT;

	sl_ledger_field_str(&form, "format", "sluice-signature-check/1");
	sl_ledger_field_str(&form, "namespace", SL_OVERRIDE_SIG_NAMESPACE);
	sl_ledger_field_str(&form, "allowed-signers", policy->allowed_signers);
	sl_ledger_field_str(&form, "identity", identity);
	sl_ledger_field_str(&form, "signature", signature);
	sl_ledger_field_str(&form, "text", text);
	sl_ledger_sha256_hex(out, form.buf, form.len);
	sl_buf_release(&form);
}

int sl_override_check_signature(const struct sl_override_policy *policy,
				const char *identity, const char *signature,
				const char *text, struct sl_error *err)
{
	struct sl_error ignored = SL_ERROR_INIT;
	char key[SL_HASH_HEX_SIZE];
	int known = -1, ret;
	bool memo = policy->remember && policy->allowed_signers && signature &&
		    !timely(policy->allowed_signers);

	if (memo) {
		check_key(key, policy, identity, signature, text);
		/* Memory that cannot be read is no answer: ask. */
		if (sl_ledger_sigcheck_get(&known, policy->remember, key,
					   &ignored))
			known = -1;
	}
	if (known == 1)
		return 0;
	if (known == 0)
		return sl_error_set(err, SL_EREFUSED,
				    "ssh-keygen: Could not verify signature "
				    "(as it said before)");
	ret = sl_override_verify_signature(policy->allowed_signers, identity,
					   signature, text, policy->ssh_keygen,
					   err);
	/* Only ssh-keygen's verdicts are remembered, never its failures;
	 * a memory that cannot be written costs a process next time. */
	if (memo && (!ret || ret == SL_EREFUSED))
		sl_ledger_sigcheck_put(policy->remember, key, !ret, &ignored);
	sl_error_release(&ignored);
	return ret;
}
