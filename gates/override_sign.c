/*
 * override_sign.c: proven identities, by OpenSSH signatures. Signs a
 * decision's canonical text with `ssh-keygen -Y sign` and checks one with
 * `ssh-keygen -Y verify` against the trusted allowed_signers content, as
 * git does for signed commits. The only file that runs a child process for
 * the ledger: no shell, a fixed argv, close-on-exec everywhere and
 * closefrom(3) in the child (it never sees the ledger), files in a private
 * temporary directory, and a deadline after which ssh-keygen is killed.
 * What to sign and when a signature is required is override_policy.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gates/ledger_internal.h"

extern char **environ;

#define VERIFY_TIMEOUT_MS 10000u
#define SIGN_TIMEOUT_MS 30000u
/* Long enough to type a passphrase. */
#define SIGN_INTERACTIVE_TIMEOUT_MS 300000u
/* Enough of ssh-keygen's chatter for a message. */
#define OUTPUT_MAX 8192

static const char sig_armor[] = "-----BEGIN SSH SIGNATURE-----";

/* A private directory for the files ssh-keygen reads and writes. */
struct scratch {
	struct sl_buf dir;
	struct sl_strvec files;
};

#define SCRATCH_INIT                                                           \
	{                                                                      \
		SL_BUF_INIT, SL_STRVEC_INIT                                    \
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
	sl_strvec_clear(&s->files);
	sl_buf_release(&s->dir);
}

/* ---- running ssh-keygen ----------------------------------------------- */

struct keygen {
	const char *program;
	const char **argv;
	int stdin_fd;	  /* -1: /dev/null (or the terminal, interactive) */
	bool interactive; /* stdin and stderr stay the caller's */
	unsigned timeout_ms;
	struct sl_buf output; /* what it printed (stdout, and stderr) */
	int status;	      /* its exit code, or 128 + signal */
};

static int spawn(pid_t *pid, int out_fd, struct keygen *k)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, dflt;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (k->stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, k->stdin_fd, 0);
	else if (!k->interactive)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (!k->interactive)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	/* Whatever the caller left open without O_CLOEXEC stays here. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&mask);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawnp(pid, k->program, &fa, &attr, (char *const *)k->argv,
			   environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return ret;
}

/* Reads fd into k->output until EOF or the deadline; false on timeout. */
static bool collect(int fd, struct keygen *k)
{
	uint64_t deadline = sl_now_ms() + k->timeout_ms;
	char chunk[4096];

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		uint64_t now = sl_now_ms();
		ssize_t n;
		int ready;

		if (now >= deadline)
			return false;
		ready = poll(&pfd, 1, (int)(deadline - now));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return ready == 0 ? false : true;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (k->output.len < OUTPUT_MAX)
			sl_buf_add(&k->output, chunk, (size_t)n);
	}
}

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int run_keygen(struct keygen *k, struct sl_error *err)
{
	int fds[2];
	pid_t pid;
	bool done;
	int ret;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return sl_error_set(err, SL_EENV, "cannot create a pipe: %s",
				    strerror(errno));
	ret = spawn(&pid, fds[1], k);
	close(fds[1]);
	if (ret) {
		close(fds[0]);
		return sl_error_set(err, SL_EENV,
				    "cannot run '%s': %s; install OpenSSH's "
				    "client (openssh-client)",
				    k->program, strerror(ret));
	}
	done = collect(fds[0], k);
	close(fds[0]);
	if (!done)
		kill(pid, SIGKILL);
	k->status = reap(pid);
	if (!done)
		return sl_error_set(err, SL_EENV,
				    "'%s' did not finish within %u s: it was "
				    "stopped",
				    k->program, k->timeout_ms / 1000);
	return 0;
}

/* ssh-keygen's message, on one line. */
static void keygen_message(struct sl_buf *out, const struct keygen *k)
{
	size_t i;
	bool space = false;

	for (i = 0; i < k->output.len; i++) {
		unsigned char c = (unsigned char)k->output.buf[i];

		if (c == '\n' || c == '\r' || c == '\t') {
			space = out->len > 0;
			continue;
		}
		if (c < ' ')
			continue;
		if (space)
			sl_buf_adds(out, "; ");
		space = false;
		sl_buf_addch(out, c);
	}
	if (!out->len)
		sl_buf_addf(out, "exit status %d", k->status);
}

/* ---- sign and verify ------------------------------------------------- */

int sl_override_sign(struct sl_buf *out, const char *key, const char *text,
		     const char *ssh_keygen, bool interactive,
		     struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct keygen k = {0};
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
	k.program = ssh_keygen ? ssh_keygen : "ssh-keygen";
	argv[0] = k.program;
	argv[1] = "-Y";
	argv[2] = "sign";
	argv[3] = "-f";
	argv[4] = key;
	argv[5] = "-n";
	argv[6] = SL_OVERRIDE_SIG_NAMESPACE;
	argv[7] = path;
	argv[8] = NULL;
	k.argv = argv;
	k.stdin_fd = -1;
	k.interactive = interactive;
	k.timeout_ms =
	    interactive ? SIGN_INTERACTIVE_TIMEOUT_MS : SIGN_TIMEOUT_MS;
	ret = run_keygen(&k, err);
	path = scratch_path(&s, "decision.sig");
	if (!ret && k.status) {
		keygen_message(&msg, &k);
		ret = sl_error_set(err, SL_EENV,
				   "cannot sign with key '%s': ssh-keygen: %s",
				   key, msg.buf);
	}
	if (!ret)
		ret = sl_buf_read_file(out, path, LEDGER_SIGNATURE_MAX, err);
out:
	sl_buf_release(&msg);
	sl_buf_release(&k.output);
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

int sl_override_verify_signature(const char *allowed_signers,
				 const char *identity, const char *signature,
				 const char *text, const char *ssh_keygen,
				 struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct keygen k = {0};
	struct sl_buf msg = SL_BUF_INIT;
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
	k.program = ssh_keygen ? ssh_keygen : "ssh-keygen";
	argv[0] = k.program;
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
	k.argv = argv;
	k.stdin_fd = fd;
	k.timeout_ms = VERIFY_TIMEOUT_MS;
	ret = run_keygen(&k, err);
	if (!ret && k.status) {
		keygen_message(&msg, &k);
		ret = sl_error_set(err, SL_EREFUSED, "ssh-keygen: %s", msg.buf);
	}
out:
	if (fd >= 0)
		close(fd);
	sl_buf_release(&msg);
	sl_buf_release(&k.output);
	scratch_release(&s);
	return ret;
}
