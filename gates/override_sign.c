/*
 * override_sign.c: proven identities, by OpenSSH signatures. Signs a
 * decision's canonical text with `ssh-keygen -Y sign` and checks one with
 * `ssh-keygen -Y verify` against the trusted allowed_signers content, as
 * git does for signed commits: the only file that runs ssh-keygen. Its
 * files go in a private temporary directory; running it (no shell, a fixed
 * argv, no descriptor but 0-2, a deadline) is common/child.c's. What to
 * sign and when a signature is required is override_policy.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <unistd.h>

#include "gates/ledger_internal.h"

#define VERIFY_TIMEOUT_MS 10000u
#define SIGN_TIMEOUT_MS 30000u
/* Long enough to type a passphrase. */
#define SIGN_INTERACTIVE_TIMEOUT_MS 300000u

static const char sig_armor[] = "-----BEGIN SSH SIGNATURE-----";

/* A private directory for the files ssh-keygen reads and writes. */
struct scratch {
	struct sl_buf dir;
	struct sl_strvec files;
};

#define SCRATCH_INIT                                                           \
	{                                                                      \
		.dir = SL_BUF_INIT, .files = SL_STRVEC_INIT                    \
	}

static int scratch_init(struct scratch *s, struct sl_error *err)
{
	const char *tmp = getenv("TMPDIR");

	sl_buf_addf(&s->dir, "%s/sluice-sign-XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir.buf)) {
		int ret = sl_error_set(err, SL_EENV,
				       "cannot create a temporary directory "
				       "'%s' for ssh-keygen: %s",
				       s->dir.buf, strerror(errno));

		sl_buf_reset(&s->dir);
		return ret;
	}
	return 0;
}

/* The path of name in the scratch directory; removed by scratch_release. */
static const char *scratch_path(struct scratch *s, const char *name)
{
	sl_strvec_pushf(&s->files, "%s/%s", s->dir.buf, name);
	return s->files.v[s->files.n - 1];
}

static int scratch_write(struct scratch *s, const char *name, const char *data,
			 const char **path, struct sl_error *err)
{
	size_t len = strlen(data), done = 0;
	int fd;

	*path = scratch_path(s, name);
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return sl_error_set(err, SL_EENV, "cannot write '%s': %s",
				    *path, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			close(fd);
			return sl_error_set(err, SL_EENV,
					    "cannot write '%s': %s", *path,
					    strerror(saved));
		}
		done += (size_t)n;
	}
	if (close(fd))
		return sl_error_set(err, SL_EENV, "cannot write '%s': %s",
				    *path, strerror(errno));
	return 0;
}

static void scratch_release(struct scratch *s)
{
	size_t i;

	for (i = 0; i < s->files.n; i++)
		unlink(s->files.v[i]);
	if (s->dir.len)
		rmdir(s->dir.buf);
	sl_strvec_release(&s->files);
	sl_buf_release(&s->dir);
}

/* ---- running ssh-keygen ----------------------------------------------- */

/*
 * A child running ssh-keygen (its absolute path, found before any gate
 * ran; NULL when it was not found) with argv.
 */
static void keygen_init(struct sl_child *k, const char *ssh_keygen,
			const char **argv)
{
	k->program = ssh_keygen;
	k->argv = argv;
	k->what = "ssh-keygen";
	k->package = "OpenSSH";
	k->install = "OpenSSH's client (openssh-client)";
}

/* ---- sign and verify ------------------------------------------------- */

int sl_override_sign(struct sl_buf *out, const char *key, const char *text,
		     const char *ssh_keygen, bool interactive,
		     struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct sl_child k = SL_CHILD_INIT;
	struct sl_buf msg = SL_BUF_INIT;
	const char *argv[9];
	const char *path = NULL;
	int ret = scratch_init(&s, err);

	if (!ret)
		ret = scratch_write(&s, "decision", text, &path, err);
	if (ret)
		goto out;
	/*
	 * The message is a file argument, not stdin: ssh-keygen may read a
	 * passphrase from stdin. It writes the signature to FILE.sig.
	 */
	argv[0] = "ssh-keygen";
	argv[1] = "-Y";
	argv[2] = "sign";
	argv[3] = "-f";
	argv[4] = key;
	argv[5] = "-n";
	argv[6] = SL_OVERRIDE_SIG_NAMESPACE;
	argv[7] = path;
	argv[8] = NULL;
	keygen_init(&k, ssh_keygen, argv);
	k.interactive = interactive;
	k.timeout_ms =
	    interactive ? SIGN_INTERACTIVE_TIMEOUT_MS : SIGN_TIMEOUT_MS;
	ret = sl_child_run(&k, err);
	path = scratch_path(&s, "decision.sig");
	if (!ret && k.status) {
		sl_child_message(&msg, &k);
		ret = sl_error_set(err, SL_EENV,
				   "cannot sign with key '%s': ssh-keygen: %s",
				   key, msg.buf);
	}
	if (!ret)
		ret = sl_buf_read_file(out, path, LEDGER_SIGNATURE_MAX, err);
out:
	sl_buf_release(&msg);
	sl_child_release(&k);
	scratch_release(&s);
	return ret;
}

static int open_message(int *fd, struct scratch *s, const char *text,
			struct sl_error *err)
{
	const char *path;
	int ret = scratch_write(s, "decision", text, &path, err);

	if (ret)
		return ret;
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return sl_error_set(err, SL_EENV, "cannot read '%s': %s", path,
				    strerror(errno));
	return 0;
}

/*
 * Did ssh-keygen answer "does not hold", or fail to answer? `-Y verify`
 * reports every verification failure the same way: "Could not verify
 * signature." on stdout and exit status 255, whether the signature is bad,
 * for another namespace or text, or its key is not listed for the identity
 * (sig_verify() in ssh-keygen.c). Anything else (another status, or 255
 * from fatal() without that line: out of memory, a broken installation) is
 * not an answer, and must not count as one: a caller asking "is this key
 * also the requester's?" would take "no" for a crash.
 */
static int verify_failure(const struct sl_child *k, struct sl_error *err)
{
	static const char said_no[] = "Could not verify signature.";
	struct sl_buf msg = SL_BUF_INIT;
	const char *at = k->output.buf;
	bool refused = false;
	int ret;

	while (k->status == 255 && !refused && (at = strstr(at, said_no))) {
		refused = (at == k->output.buf || at[-1] == '\n') &&
			  (at[strlen(said_no)] == '\n' || !at[strlen(said_no)]);
		at += strlen(said_no);
	}
	sl_child_message(&msg, k);
	if (refused)
		ret = sl_error_set(err, SL_EREFUSED, "ssh-keygen: %s", msg.buf);
	else
		ret = sl_error_set(err, SL_EENV,
				   "ssh-keygen failed: '%s' exited with status "
				   "%d without a verdict (%s); the signature "
				   "was not checked: check the OpenSSH "
				   "installation and retry",
				   k->program, k->status, msg.buf);
	sl_buf_release(&msg);
	return ret;
}

int sl_override_verify_signature(const char *allowed_signers,
				 const char *identity, const char *signature,
				 const char *text, const char *ssh_keygen,
				 struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct sl_child k = SL_CHILD_INIT;
	const char *argv[12];
	const char *signers = NULL, *sig = NULL;
	int fd = -1;
	int ret;

	if (!signature || strncmp(signature, sig_armor, strlen(sig_armor)))
		return sl_error_set(err, SL_EREFUSED,
				    "the signature is not an armored SSH "
				    "signature (%s)",
				    sig_armor);
	ret = scratch_init(&s, err);
	if (!ret)
		ret = scratch_write(&s, "allowed_signers", allowed_signers,
				    &signers, err);
	if (!ret)
		ret = scratch_write(&s, "decision.sig", signature, &sig, err);
	if (!ret)
		ret = open_message(&fd, &s, text, err);
	if (ret)
		goto out;
	argv[0] = "ssh-keygen";
	argv[1] = "-Y";
	argv[2] = "verify";
	argv[3] = "-f";
	argv[4] = signers;
	argv[5] = "-I";
	argv[6] = identity;
	argv[7] = "-n";
	argv[8] = SL_OVERRIDE_SIG_NAMESPACE;
	argv[9] = "-s";
	argv[10] = sig;
	argv[11] = NULL;
	keygen_init(&k, ssh_keygen, argv);
	k.stdin_fd = fd;
	k.timeout_ms = VERIFY_TIMEOUT_MS;
	ret = sl_child_run(&k, err);
	if (!ret && k.status)
		ret = verify_failure(&k, err);
out:
	if (fd >= 0)
		close(fd);
	sl_child_release(&k);
	scratch_release(&s);
	return ret;
}
