/*
 * ledger_digest.c: SHA-256 for the override ledger, from OpenSSL's
 * libcrypto. This is the only file that calls libcrypto; what is hashed (the
 * canonical forms) is ledger_format.c's business.
 */
#include "common/common.h"

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "gates/ledger_internal.h"

/*
 * SHA-256, looked up once: OpenSSL 3 otherwise looks the algorithm up in
 * its provider tables on every digest, a tenth of verifying a ledger of
 * 10,000 events. Never freed: it lives as long as the process.
 */
static const EVP_MD *sha256(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *md;

	if (!md)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md ? md : EVP_sha256();
#else
	return EVP_sha256();
#endif
}

void sl_ledger_sha256_hex(char out[SL_HASH_HEX_SIZE], const void *data,
			  size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned int i;

	/*
	 * EVP_Digest fails only when libcrypto itself is broken (no SHA-256
	 * provider, no memory): a ledger without hashes must not limp on.
	 */
	if (!EVP_Digest(data, len, md, &mdlen, sha256(), NULL) || mdlen != 32) {
		fputs("sluice: libcrypto cannot compute SHA-256\n", stderr);
		abort();
	}
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
}
